using Doozer.Store.Paths;

namespace Doozer.Store.Tests.Paths;

public class TreePathTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/a/b/c")]
    [InlineData("/A-Z_a.z09")]
    [InlineData("/...")]
    [InlineData("/.a/..b/a..")]
    [InlineData("/_/-")]
    public void Valid_paths(string path) => Assert.True(TreePath.IsValid(path));

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a/b")]
    [InlineData("//")]
    [InlineData("/a/")]
    [InlineData("/a//b")]
    [InlineData("/.")]
    [InlineData("/..")]
    [InlineData("/a/./b")]
    [InlineData("/a/../b")]
    [InlineData("/a b")]
    [InlineData("/a*")]
    [InlineData("/a?")]
    [InlineData("/a%2F")]
    [InlineData("/é")]
    [InlineData("/a\0")]
    [InlineData("\\a")]
    public void Invalid_paths(string path) => Assert.False(TreePath.IsValid(path));

    [Fact]
    public void Names_are_at_most_255_bytes()
    {
        Assert.True(TreePath.IsValid("/" + new string('x', 255)));
        Assert.False(TreePath.IsValid("/" + new string('x', 256)));
        Assert.True(TreePath.IsValidName(new string('x', 255)));
        Assert.False(TreePath.IsValidName(new string('x', 256)));
        Assert.False(TreePath.IsValidName(""));
    }

    [Theory]
    [InlineData("/", "/", true)]
    [InlineData("/", "/a/b", true)]
    [InlineData("/a", "/a", true)]
    [InlineData("/a", "/a/b", true)]
    [InlineData("/a", "/ab", false)]
    [InlineData("/a/b", "/a", false)]
    [InlineData("/ctl", "/ctl-x", false)]
    public void IsAncestorOrSelf(string ancestor, string path, bool expected) =>
        Assert.Equal(expected, TreePath.IsAncestorOrSelf(ancestor, path));

    [Theory]
    [InlineData("/a/b", "/a", "b")]
    [InlineData("/a", "/", "a")]
    [InlineData("/x/y/zz", "/x/y", "zz")]
    public void Parent_and_name(string path, string parent, string name)
    {
        Assert.Equal(parent, TreePath.Parent(path));
        Assert.Equal(name, TreePath.Name(path));
    }

    [Fact]
    public void Parent_of_the_root_is_an_error() => Assert.Throws<ArgumentException>(() => TreePath.Parent("/"));

    [Theory]
    [InlineData("/o/b/c", "/o/b-x")]
    [InlineData("/o/b/c", "/o/b.x")]
    [InlineData("/", "/a")]
    [InlineData("/a", "/a/b")]
    [InlineData("/a/z", "/aa")]
    [InlineData("/A", "/a")]
    [InlineData("/a", "/b")]
    [InlineData("/a/b", "/a-")]
    public void Path_order_examples(string first, string second)
    {
        Assert.True(TreePath.Compare(first, second) < 0);
        Assert.True(TreePath.Compare(second, first) > 0);
        Assert.Equal(0, TreePath.Compare(first, first));
    }

    [Fact]
    public void Path_order_matches_a_name_by_name_reference_comparer()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        const string alphabet = "ab-._Z0";
        string RandomPath()
        {
            var depth = random.Next(0, 4);
            if (depth == 0)
                return "/";
            var names = new string[depth];
            for (var i = 0; i < depth; i++)
                names[i] = new string(Enumerable.Range(0, random.Next(1, 4)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            return "/" + string.Join('/', names);
        }
        for (var i = 0; i < 20000; i++)
        {
            var a = RandomPath();
            var b = RandomPath();
            var expected = Math.Sign(ReferenceCompare(a, b));
            var actual = Math.Sign(TreePath.Compare(a, b));
            Assert.True(expected == actual, $"seed {seed}: Compare({a}, {b}) = {actual}, expected {expected}");
        }
    }

    /// <summary>The definition: names compared ordinally one by one; a prefix (ancestor) sorts first.</summary>
    internal static int ReferenceCompare(string a, string b)
    {
        var na = a.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var nb = b.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < Math.Min(na.Length, nb.Length); i++)
        {
            var c = string.CompareOrdinal(na[i], nb[i]);
            if (c != 0)
                return c;
        }
        return na.Length.CompareTo(nb.Length);
    }
}
