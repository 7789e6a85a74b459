using System.Text;
using System.Text.RegularExpressions;
using Doozer.Store.Paths;

namespace Doozer.Store.Tests.Paths;

public class GlobTests
{
    private static Glob Parse(string text)
    {
        Assert.True(Glob.TryParse(text, out var glob), text);
        return glob;
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/**")]
    [InlineData("/*")]
    [InlineData("/a/**/b")]
    [InlineData("/a?c/*.txt")]
    [InlineData("/***")]
    [InlineData("/.*")]
    [InlineData("/*.")]
    public void Valid_globs(string text)
    {
        Assert.True(Glob.TryParse(text, out var glob));
        Assert.Equal(text, glob.Text);
        Assert.Equal(text, glob.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("**")]
    [InlineData("//")]
    [InlineData("/a/")]
    [InlineData("/**/")]
    [InlineData("/a//b")]
    [InlineData("/.")]
    [InlineData("/..")]
    [InlineData("/a/../b")]
    [InlineData("/a b")]
    [InlineData("/[ab]")]
    [InlineData("/a\\*")]
    [InlineData("/é")]
    public void Invalid_globs(string? text)
    {
        Assert.False(Glob.TryParse(text, out var glob));
        Assert.Null(glob);
    }

    [Fact]
    public void Glob_names_are_at_most_255_bytes()
    {
        Assert.True(Glob.TryParse("/" + new string('*', 255), out _));
        Assert.False(Glob.TryParse("/" + new string('*', 256), out _));
    }

    [Theory]
    [InlineData("/**", "/", true)]
    [InlineData("/**", "/a", true)]
    [InlineData("/**", "/a/b/c", true)]
    [InlineData("/**/x", "/a/x", true)]
    [InlineData("/**/x", "/a/b/x", true)]
    [InlineData("/**/x", "/x", false)]
    [InlineData("/*", "/a", true)]
    [InlineData("/*", "/a/b", false)]
    [InlineData("/a/*", "/a/bc", true)]
    [InlineData("/a/*", "/a", false)]
    [InlineData("/a?", "/ab", true)]
    [InlineData("/a?", "/a", false)]
    [InlineData("/a?b", "/a/b", false)]
    [InlineData("/a**b", "/a/x/b", true)]
    [InlineData("/a*b", "/a/x/b", false)]
    [InlineData("/a.b", "/a.b", true)]
    [InlineData("/a.b", "/axb", false)]
    [InlineData("/", "/", true)]
    [InlineData("/", "/a", false)]
    [InlineData("/**a**a**a**b", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void Matches_examples(string glob, string path, bool expected) =>
        Assert.Equal(expected, Parse(glob).Matches(path));

    [Fact]
    public void Pathological_patterns_match_in_polynomial_time()
    {
        // With backtracking this pattern against a long run of 'a' explores ~n^k splits; the NFA is linear.
        var glob = Parse("/" + string.Concat(Enumerable.Repeat("**a", 30)) + "**b");
        var path = "/" + new string('a', 5000);
        Assert.False(glob.Matches(path));
        Assert.True(glob.Matches(path + "b"));
    }

    [Theory]
    [InlineData("/a/*", "/", true)]
    [InlineData("/a/*", "/a", true)]
    [InlineData("/a/*", "/b", false)]
    [InlineData("/a/*", "/a/b", false)]
    [InlineData("/a/**", "/a/b/c", true)]
    [InlineData("/**/x", "/q", true)]
    [InlineData("/*/x", "/q", true)]
    [InlineData("/*/x", "/q/r", false)]
    [InlineData("/ab*", "/a", false)]
    [InlineData("/ab**", "/abc", true)]
    [InlineData("/", "/", true)]
    public void MayMatchBelow_examples(string glob, string dir, bool expected) =>
        Assert.Equal(expected, Parse(glob).MayMatchBelow(dir));

    [Fact]
    public void Matches_agrees_with_a_regex_oracle_and_MayMatchBelow_never_prunes_a_match()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        const string pathChars = "ab.";
        for (var round = 0; round < 3000; round++)
        {
            var globText = RandomGlob(random);
            var glob = Parse(globText);
            var regex = ToRegex(globText);
            for (var i = 0; i < 30; i++)
            {
                var path = RandomPath(random, pathChars);
                var expected = regex.IsMatch(path);
                Assert.True(expected == glob.Matches(path), $"seed {seed}: glob {globText} on {path}: expected {expected}");
                if (!expected)
                    continue;
                // Every proper ancestor directory of a matching path must not be pruned.
                var dir = path;
                while (dir != "/")
                {
                    dir = TreePath.Parent(dir);
                    Assert.True(glob.MayMatchBelow(dir), $"seed {seed}: glob {globText} pruned {dir} above match {path}");
                }
            }
        }
    }

    [Fact]
    public void LiteralNameAt_gives_fixed_names_before_the_first_double_star()
    {
        var glob = Parse("/a/*/c/d**/e");
        Assert.Equal("a", glob.LiteralNameAt(0));
        Assert.Null(glob.LiteralNameAt(1));
        Assert.Equal("c", glob.LiteralNameAt(2));
        Assert.Null(glob.LiteralNameAt(3));
        Assert.Null(glob.LiteralNameAt(4));
        Assert.Null(Parse("/**").LiteralNameAt(0));
        Assert.Null(Parse("/").LiteralNameAt(0));
    }

    internal static string RandomGlob(Random random)
    {
        const string parts = "ab.?**";
        var depth = random.Next(1, 4);
        var sb = new StringBuilder();
        for (var d = 0; d < depth; d++)
        {
            sb.Append('/');
            var length = random.Next(1, 5);
            string name;
            do
            {
                var n = new StringBuilder();
                for (var i = 0; i < length; i++)
                    n.Append(parts[random.Next(parts.Length)]);
                name = n.ToString();
            }
            while (name is "." or "..");
            sb.Append(name);
        }
        return sb.ToString();
    }

    internal static string RandomPath(Random random, string chars)
    {
        var depth = random.Next(1, 5);
        var sb = new StringBuilder();
        for (var d = 0; d < depth; d++)
        {
            sb.Append('/');
            string name;
            do
            {
                name = new string(Enumerable.Range(0, random.Next(1, 4)).Select(_ => chars[random.Next(chars.Length)]).ToArray());
            }
            while (name is "." or "..");
            sb.Append(name);
        }
        return sb.ToString();
    }

    /// <summary>The oracle: the glob translated literally into a regular expression.</summary>
    internal static Regex ToRegex(string glob)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                sb.Append(".*");
                i++;
            }
            else if (glob[i] == '*')
            {
                sb.Append("[^/]*");
            }
            else if (glob[i] == '?')
            {
                sb.Append("[^/]");
            }
            else
            {
                sb.Append(Regex.Escape(glob[i].ToString()));
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
