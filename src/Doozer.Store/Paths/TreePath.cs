namespace Doozer.Store.Paths;

/// <summary>
/// Absolute tree paths: "/" or "/name(/name)*", names of 1-255 bytes of [A-Za-z0-9._-], never "." or "..".
/// Paths are plain strings everywhere; this type validates and orders them.
/// </summary>
public static class TreePath
{
    public const string Root = "/";
    public const int MaxNameBytes = 255;

    public static bool IsValid(ReadOnlySpan<char> path) => throw new NotImplementedException();

    public static bool IsValidName(ReadOnlySpan<char> name) => throw new NotImplementedException();

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsAncestorOrSelf(string ancestor, string path) => throw new NotImplementedException();

    /// <summary>
    /// Path order (API.md 1): depth-first, each directory's entries in ordinal order of their names,
    /// so "/o/b/c" sorts before "/o/b-x". Compares name by name; a path sorts before the paths below it.
    /// </summary>
    public static int Compare(string a, string b) => throw new NotImplementedException();

    /// <summary>The parent directory of a valid non-root path ("/a/b" gives "/a", "/a" gives "/").</summary>
    public static string Parent(string path) => throw new NotImplementedException();

    /// <summary>The last name of a valid non-root path.</summary>
    public static string Name(string path) => throw new NotImplementedException();
}
