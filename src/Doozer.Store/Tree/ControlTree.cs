using Doozer.Store.Paths;

namespace Doozer.Store.Tree;

/// <summary>
/// The rules for /ctl, the cluster's own subtree (API.md 1): clients may only write the voter slots /ctl/cal/&lt;n&gt;,
/// and only with an empty value or the id of a node registered under /ctl/node/&lt;id&gt;.
/// </summary>
internal static class ControlTree
{
    public const string Name = "ctl";
    public const string Path = "/ctl";
    private const string SlotPrefix = "/ctl/cal/";

    public static bool Contains(string path) => TreePath.IsAncestorOrSelf(Path, path);

    /// <summary>/ctl/cal/&lt;n&gt; with n a decimal number.</summary>
    public static bool IsVoterSlot(string path)
    {
        if (path.Length <= SlotPrefix.Length || !path.StartsWith(SlotPrefix, StringComparison.Ordinal))
            return false;
        foreach (var c in path.AsSpan(SlotPrefix.Length))
        {
            if (c is < '0' or > '9')
                return false;
        }
        return true;
    }

    /// <summary>Empty, or the UTF-8 id of a node whose directory /ctl/node/&lt;id&gt; exists in <paramref name="root"/>.</summary>
    public static bool IsValidSlotValue(DirNode root, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
            return true;
        // A node id is a name, so it is ASCII: any other byte (or an invalid UTF-8 sequence) cannot be one.
        if (value.Length > TreePath.MaxNameBytes)
            return false;
        Span<char> id = stackalloc char[value.Length];
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] > 0x7F)
                return false;
            id[i] = (char)value[i];
        }
        if (!TreePath.IsValidName(id))
            return false;
        var nodes = root.Find(Name) is DirNode ctl ? ctl.Find("node") as DirNode : null;
        return nodes?.Find(id) is DirNode;
    }
}
