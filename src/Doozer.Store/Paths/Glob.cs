using System.Diagnostics.CodeAnalysis;

namespace Doozer.Store.Paths;

/// <summary>
/// A glob over tree paths (API.md 3.3): "?" one non-'/' character, "*" any run of non-'/' characters,
/// "**" any run of characters including '/'; everything else literal.
/// </summary>
/// <remarks>
/// Matching runs the glob as an NFA over the path (a set of token positions advanced one character at a time), so it
/// costs O(path length x glob length) whatever the pattern: no backtracking, no exponential blow-up on "/**a**a**b".
/// </remarks>
public sealed class Glob
{
    // Above this many tokens the NFA state sets go to the heap instead of the stack.
    private const int StackStates = 512;

    private readonly GlobToken[] _tokens;
    private readonly string[] _names;

    // Names before the first one holding "**" sit at a fixed depth; a literal one among them names the only entry a
    // walk needs to visit at that depth.
    private readonly int _fixedDepthNames;

    private Glob(string text, GlobToken[] tokens, string[] names, int fixedDepthNames)
    {
        Text = text;
        _tokens = tokens;
        _names = names;
        _fixedDepthNames = fixedDepthNames;
    }

    public string Text { get; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out Glob? glob)
    {
        glob = null;
        if (text is null || text.Length == 0 || text[0] != '/')
            return false;
        var names = text.Length == 1 ? [] : text[1..].Split('/');
        foreach (var name in names)
        {
            if (!IsValidGlobName(name))
                return false;
        }

        var tokens = new List<GlobToken>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '*')
            {
                if (i + 1 < text.Length && text[i + 1] == '*')
                {
                    tokens.Add(new GlobToken(GlobTokenKind.AnyRun, '\0'));
                    i++;
                }
                else
                {
                    tokens.Add(new GlobToken(GlobTokenKind.NameRun, '\0'));
                }
            }
            else if (c == '?')
            {
                tokens.Add(new GlobToken(GlobTokenKind.NameChar, '\0'));
            }
            else
            {
                tokens.Add(new GlobToken(GlobTokenKind.Literal, c));
            }
        }

        var fixedDepth = 0;
        while (fixedDepth < names.Length && !names[fixedDepth].Contains("**", StringComparison.Ordinal))
            fixedDepth++;
        glob = new Glob(text, [.. tokens], names, fixedDepth);
        return true;
    }

    private static bool IsValidGlobName(string name)
    {
        if (name.Length is 0 or > TreePath.MaxNameBytes || name is "." or "..")
            return false;
        foreach (var c in name)
        {
            if (c is not ('*' or '?') && !TreePath.IsNameChar(c))
                return false;
        }
        return true;
    }

    public bool Matches(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var states = _tokens.Length + 1;
        Span<bool> current = states <= StackStates ? stackalloc bool[states] : new bool[states];
        Span<bool> next = states <= StackStates ? stackalloc bool[states] : new bool[states];
        Enter(current, 0);
        foreach (var c in path)
        {
            if (!Step(current, next, c))
                return false;
            var swap = current;
            current = next;
            next = swap;
        }
        return current[_tokens.Length];
    }

    /// <summary>
    /// False when no path at or below directory <paramref name="dirPath"/> can match: lets walks prune subtrees.
    /// </summary>
    /// <remarks>
    /// Runs the NFA over the prefix every path below the directory shares (the directory path and a '/'); when no
    /// state survives, no continuation can match. It may answer true for a directory with nothing matching below.
    /// </remarks>
    public bool MayMatchBelow(string dirPath)
    {
        ArgumentNullException.ThrowIfNull(dirPath);
        var states = _tokens.Length + 1;
        Span<bool> current = states <= StackStates ? stackalloc bool[states] : new bool[states];
        Span<bool> next = states <= StackStates ? stackalloc bool[states] : new bool[states];
        Enter(current, 0);
        var length = dirPath == TreePath.Root ? 1 : dirPath.Length + 1;
        for (var i = 0; i < length; i++)
        {
            var c = i < dirPath.Length ? dirPath[i] : '/';
            if (!Step(current, next, c))
                return false;
            var swap = current;
            current = next;
            next = swap;
        }
        return true;
    }

    /// <summary>
    /// The name every match has at depth <paramref name="depth"/> (0 = the root's entries) when that is fixed by
    /// the glob, else null.
    /// </summary>
    internal string? LiteralNameAt(int depth)
    {
        if (depth >= _fixedDepthNames)
            return null;
        var name = _names[depth];
        return name.AsSpan().IndexOfAny('*', '?') < 0 ? name : null;
    }

    /// <summary>Advances the state set over one character; false when no state survives.</summary>
    private bool Step(Span<bool> current, Span<bool> next, char c)
    {
        next.Clear();
        var alive = false;
        for (var i = 0; i < _tokens.Length; i++)
        {
            if (!current[i])
                continue;
            var token = _tokens[i];
            switch (token.Kind)
            {
                case GlobTokenKind.Literal when token.Char == c:
                case GlobTokenKind.NameChar when c != '/':
                    Enter(next, i + 1);
                    alive = true;
                    break;
                case GlobTokenKind.NameRun when c != '/':
                case GlobTokenKind.AnyRun:
                    Enter(next, i);
                    alive = true;
                    break;
            }
        }
        return alive;
    }

    /// <summary>Adds state <paramref name="i"/> and, since runs may be empty, the states after the runs that follow it.</summary>
    private void Enter(Span<bool> states, int i)
    {
        while (!states[i])
        {
            states[i] = true;
            if (i == _tokens.Length || _tokens[i].Kind is not (GlobTokenKind.NameRun or GlobTokenKind.AnyRun))
                return;
            i++;
        }
    }

    public override string ToString() => Text;

    private enum GlobTokenKind : byte
    {
        Literal,
        NameChar,
        NameRun,
        AnyRun,
    }

    private readonly record struct GlobToken(GlobTokenKind Kind, char Char);
}
