namespace Doozer.Store.Tree;

/// <summary>
/// A node of the persistent tree. Nodes are immutable: a write copies the path from the root to what it changes and
/// shares everything else with the previous revision, so each kept revision costs O(depth x log fan-out) nodes.
/// </summary>
internal abstract class Node;

/// <param name="rev">The store revision of the write that last set the file.</param>
/// <param name="value">Owned by the tree and never mutated.</param>
internal sealed class FileNode(long rev, byte[] value) : Node
{
    public long Rev { get; } = rev;

    public byte[] Value { get; } = value;
}

/// <summary>A directory: its entries in a persistent AVL tree ordered by ordinal name.</summary>
/// <remarks>Invariant: every directory but the root holds at least one entry.</remarks>
internal sealed class DirNode : Node
{
    public static readonly DirNode Empty = new(null, 0);

    public DirNode(NameTree? entries, int count)
    {
        Entries = entries;
        Count = count;
    }

    public NameTree? Entries { get; }

    public int Count { get; }

    public Node? Find(ReadOnlySpan<char> name) => NameTree.Find(Entries, name);

    public DirNode With(string name, Node node) => With(name, name, node);

    /// <summary>This directory with <paramref name="name"/> set; the name is copied to a string only if it is new.</summary>
    public DirNode With(ReadOnlySpan<char> name, string? nameString, Node node)
    {
        var entries = NameTree.SetItem(Entries, name, nameString, node, out var added);
        return new DirNode(entries, added ? Count + 1 : Count);
    }

    /// <summary>This directory without entry <paramref name="name"/>, which must exist.</summary>
    public DirNode Without(string name) => new(NameTree.Remove(Entries, name), Count - 1);
}
