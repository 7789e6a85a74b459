namespace Doozer.Store.Paths;

/// <summary>
/// A glob over tree paths (API.md 3.3): "?" one non-'/' character, "*" any run of non-'/' characters,
/// "**" any run of characters including '/'; everything else literal.
/// </summary>
public sealed class Glob
{
    private Glob(string text) => Text = text;

    public string Text { get; }

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Glob? glob) =>
        throw new NotImplementedException();

    public bool Matches(string path) => throw new NotImplementedException();

    /// <summary>
    /// False when no path at or below directory <paramref name="dirPath"/> can match: lets walks prune subtrees.
    /// </summary>
    public bool MayMatchBelow(string dirPath) => throw new NotImplementedException();

    public override string ToString() => Text;
}
