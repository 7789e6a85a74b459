using Doozer.Store.Paths;

namespace Doozer.Store.Tree;

/// <summary>An immutable view of the tree at one revision. Cheap to take; safe to use from any thread.</summary>
/// <remarks>
/// One view per revision is kept in the store's history ring; it also carries that revision's changes so that
/// watches replaying history and reads at that revision come from the same place.
/// </remarks>
public sealed partial class StoreView
{
    internal StoreView(long rev, DirNode root, Change[] changes)
    {
        Rev = rev;
        Root = root;
        Changes = changes;
    }

    public long Rev { get; }

    internal DirNode Root { get; }

    /// <summary>The changes that made this revision, in path order (empty for a revision restored from a snapshot).</summary>
    internal Change[] Changes { get; }

    public Lookup Get(string path)
    {
        RequireValidPath(path);
        var status = Locate(Root, path, out var node);
        return status != ReadStatus.Ok ? new Lookup(status, default, 0, default, 0) : LookupOf(node!);
    }

    /// <summary>This view's tree and revision as snapshot bytes (see <see cref="TreeStore.FromSnapshot"/>); safe on any thread.</summary>
    public byte[] ToSnapshot() => Snapshots.StoreSnapshot.Write(this);

    /// <summary>The length in bytes of <see cref="ToSnapshot"/>'s result, without making it; safe on any thread.</summary>
    public long SnapshotLength() => Snapshots.StoreSnapshot.Measure(this).Length;

    /// <summary>Writes the bytes of <see cref="ToSnapshot"/> to <paramref name="output"/> in small chunks; safe on any thread.</summary>
    public void WriteSnapshot(Stream output) => Snapshots.StoreSnapshot.Write(this, output);

    /// <summary>Lists a directory (for a file: Status Ok, Kind File, no entries). Entries after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public DirPage List(string path, string? after, int limit)
    {
        RequireValidPath(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var status = Locate(Root, path, out var node);
        if (status != ReadStatus.Ok)
            return new DirPage(status, default, [], null);
        if (node is not DirNode dir)
            return new DirPage(ReadStatus.Ok, NodeKind.File, [], null);

        // One entry more than asked tells whether another page follows.
        var entries = new List<DirEntry>(Math.Min(limit, dir.Count) + 1);
        CollectEntries(dir.Entries, after, entries, limit);
        string? next = null;
        if (entries.Count > limit)
        {
            entries.RemoveAt(limit);
            next = entries[limit - 1].Name;
        }
        return new DirPage(ReadStatus.Ok, NodeKind.Dir, entries, next);
    }

    internal static Lookup LookupOf(Node node) => node switch
    {
        FileNode file => new Lookup(ReadStatus.Ok, NodeKind.File, file.Rev, file.Value, 0),
        DirNode dir => new Lookup(ReadStatus.Ok, NodeKind.Dir, 0, default, dir.Count),
        _ => throw new InvalidOperationException("Unknown node type."),
    };

    /// <summary>Finds the node at a valid path: NotFound when missing, NotDir when an ancestor is a file.</summary>
    internal static ReadStatus Locate(DirNode root, ReadOnlySpan<char> path, out Node? node)
    {
        node = root;
        if (path.Length == 1)
            return ReadStatus.Ok;
        var rest = path[1..];
        while (true)
        {
            if (node is not DirNode dir)
            {
                node = null;
                return ReadStatus.NotDir;
            }
            var slash = rest.IndexOf('/');
            node = dir.Find(slash < 0 ? rest : rest[..slash]);
            if (node is null)
                return ReadStatus.NotFound;
            if (slash < 0)
                return ReadStatus.Ok;
            rest = rest[(slash + 1)..];
        }
    }

    internal static void RequireValidPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!TreePath.IsValid(path))
            throw new ArgumentException($"Not a valid tree path: '{path}'.", nameof(path));
    }

    /// <summary>Collects up to <paramref name="limit"/> + 1 entries whose names sort after <paramref name="after"/>: one more than a page tells whether another follows.</summary>
    private static void CollectEntries(NameTree? tree, string? after, List<DirEntry> output, int limit)
    {
        if (tree is null || output.Count > limit)
            return;
        if (after is null || string.CompareOrdinal(tree.Name, after) > 0)
        {
            CollectEntries(tree.Left, after, output, limit);
            if (output.Count > limit)
                return;
            output.Add(tree.Value is FileNode file
                ? new DirEntry(tree.Name, NodeKind.File, file.Rev, file.Value.Length)
                : new DirEntry(tree.Name, NodeKind.Dir, 0, 0));
        }
        CollectEntries(tree.Right, after, output, limit);
    }
}
