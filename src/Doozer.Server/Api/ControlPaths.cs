using Doozer.Store.Paths;

namespace Doozer.Server.Api;

/// <summary>
/// The cluster's own subtree, /ctl (API.md section 1): clients read it, but write only voter slots /ctl/cal/N.
/// Checked at the edge so that the 403 comes before 413 and 404/409; the store enforces the same rule at apply time.
/// </summary>
public static class ControlPaths
{
    public const string Root = "/ctl";
    public const string Slots = "/ctl/cal";
    public const string Nodes = "/ctl/node";
    public const string ClusterName = "/ctl/name";

    public static bool IsSlot(string path) =>
        path.StartsWith(Slots + "/", StringComparison.Ordinal)
        && path.Length > Slots.Length + 1
        && path.AsSpan(Slots.Length + 1).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary>Whether a client may set or delete the file at <paramref name="path"/>.</summary>
    public static bool ClientMayWrite(string path) => !TreePath.IsAncestorOrSelf(Root, path) || IsSlot(path);

    /// <summary>Whether a client may delete the subtree at <paramref name="path"/>: never one that holds /ctl files.</summary>
    public static bool ClientMayDeleteTree(string path) =>
        !TreePath.IsAncestorOrSelf(path, Root) && ClientMayWrite(path);
}
