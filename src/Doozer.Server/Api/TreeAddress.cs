using Doozer.Store.Paths;

namespace Doozer.Server.Api;

/// <summary>
/// The tree path a request names, read from the request path after the endpoint prefix ("/tree").
/// "/tree" and "/tree/" are the root; a trailing slash marks a directory. The server has already decoded the
/// percent-escapes it may decode and resolved dot segments; an escaped "/" stays "%2F" and so fails as a name.
/// </summary>
public readonly record struct TreeAddress(string Path, bool TrailingSlash)
{
    public bool IsRoot => Path == TreePath.Root;

    public static bool TryParse(string requestPath, string prefix, out TreeAddress address)
    {
        address = default;
        if (!requestPath.StartsWith(prefix, StringComparison.Ordinal))
            return false;
        var rest = requestPath[prefix.Length..];
        if (rest.Length == 0 || rest == "/")
        {
            address = new TreeAddress(TreePath.Root, rest.Length == 1);
            return true;
        }
        var trailing = rest.EndsWith('/');
        var path = trailing ? rest[..^1] : rest;
        // "//" would leave "/" after removing the trailing slash: an empty name, not the root.
        if (path == TreePath.Root || !TreePath.IsValid(path))
            return false;
        address = new TreeAddress(path, trailing);
        return true;
    }
}
