namespace Doozer.Store.Paths;

/// <summary>
/// Absolute tree paths: "/" or "/name(/name)*", names of 1-255 bytes of [A-Za-z0-9._-], never "." or "..".
/// Paths are plain strings everywhere; this type validates and orders them.
/// </summary>
public static class TreePath
{
    public const string Root = "/";
    public const int MaxNameBytes = 255;

    public static bool IsValid(ReadOnlySpan<char> path)
    {
        if (path.Length == 0 || path[0] != '/')
            return false;
        if (path.Length == 1)
            return true;
        var rest = path[1..];
        while (true)
        {
            var slash = rest.IndexOf('/');
            var name = slash < 0 ? rest : rest[..slash];
            if (!IsValidName(name))
                return false;
            if (slash < 0)
                return true;
            rest = rest[(slash + 1)..];
        }
    }

    public static bool IsValidName(ReadOnlySpan<char> name)
    {
        // Names are ASCII, so a name's UTF-8 byte count is its char count.
        if (name.Length is 0 or > MaxNameBytes)
            return false;
        if (name is "." or "..")
            return false;
        foreach (var c in name)
        {
            if (!IsNameChar(c))
                return false;
        }
        return true;
    }

    internal static bool IsNameChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsAncestorOrSelf(string ancestor, string path)
    {
        ArgumentNullException.ThrowIfNull(ancestor);
        ArgumentNullException.ThrowIfNull(path);
        if (ancestor == Root)
            return path.Length > 0 && path[0] == '/';
        if (!path.StartsWith(ancestor, StringComparison.Ordinal))
            return false;
        return path.Length == ancestor.Length || path[ancestor.Length] == '/';
    }

    /// <summary>
    /// Path order (API.md 1): depth-first, each directory's entries in ordinal order of their names,
    /// so "/o/b/c" sorts before "/o/b-x". Compares name by name; a path sorts before the paths below it.
    /// </summary>
    public static int Compare(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        // Comparing names one by one is the same as comparing the strings ordinally with '/' ranked below every
        // name character: where one name ends ('/') and the other goes on, the shorter name sorts first, and a
        // path that ends where the other goes on is its ancestor (or a shorter name) and sorts first.
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var ca = a[i];
            var cb = b[i];
            if (ca == cb)
                continue;
            if (ca == '/')
                return -1;
            if (cb == '/')
                return 1;
            return ca < cb ? -1 : 1;
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>The parent directory of a valid non-root path ("/a/b" gives "/a", "/a" gives "/").</summary>
    public static string Parent(string path)
    {
        var slash = LastSlash(path);
        return slash == 0 ? Root : path[..slash];
    }

    /// <summary>The last name of a valid non-root path.</summary>
    public static string Name(string path) => path[(LastSlash(path) + 1)..];

    /// <summary>The path of entry <paramref name="name"/> of directory <paramref name="dirPath"/>.</summary>
    internal static string Child(string dirPath, string name) =>
        dirPath.Length == 1 ? string.Concat("/", name) : string.Concat(dirPath, "/", name);

    private static int LastSlash(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length < 2 || path[0] != '/')
            throw new ArgumentException($"Not a non-root path: '{path}'.", nameof(path));
        return path.LastIndexOf('/');
    }
}
