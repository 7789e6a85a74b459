namespace Doozer.Store.Tree;

/// <summary>
/// A node of a persistent AVL tree mapping entry names (ordinal order) to nodes: one directory's entries.
/// Updates copy O(log n) nodes and share the rest; null is the empty tree.
/// </summary>
internal sealed class NameTree
{
    private NameTree(string name, Node value, NameTree? left, NameTree? right)
    {
        Name = name;
        Value = value;
        Left = left;
        Right = right;
        Height = Math.Max(HeightOf(left), HeightOf(right)) + 1;
    }

    public string Name { get; }

    public Node Value { get; }

    public NameTree? Left { get; }

    public NameTree? Right { get; }

    public int Height { get; }

    public static Node? Find(NameTree? tree, ReadOnlySpan<char> name)
    {
        while (tree is not null)
        {
            var c = name.SequenceCompareTo(tree.Name);
            if (c == 0)
                return tree.Value;
            tree = c < 0 ? tree.Left : tree.Right;
        }
        return null;
    }

    public static NameTree SetItem(NameTree? tree, string name, Node value, out bool added) =>
        SetItem(tree, name, name, value, out added);

    /// <summary>
    /// Sets <paramref name="name"/>; a new entry's name string is <paramref name="nameString"/>, or a copy of the span
    /// when that is null, so that overwriting an entry allocates no string.
    /// </summary>
    public static NameTree SetItem(NameTree? tree, ReadOnlySpan<char> name, string? nameString, Node value, out bool added)
    {
        if (tree is null)
        {
            added = true;
            return new NameTree(nameString ?? name.ToString(), value, null, null);
        }
        var c = name.SequenceCompareTo(tree.Name);
        if (c == 0)
        {
            added = false;
            return new NameTree(tree.Name, value, tree.Left, tree.Right);
        }
        return c < 0
            ? Balance(tree.Name, tree.Value, SetItem(tree.Left, name, nameString, value, out added), tree.Right)
            : Balance(tree.Name, tree.Value, tree.Left, SetItem(tree.Right, name, nameString, value, out added));
    }

    /// <summary>The tree without <paramref name="name"/>; unchanged when it is absent.</summary>
    public static NameTree? Remove(NameTree? tree, string name)
    {
        if (tree is null)
            return null;
        var c = string.CompareOrdinal(name, tree.Name);
        if (c < 0)
            return Balance(tree.Name, tree.Value, Remove(tree.Left, name), tree.Right);
        if (c > 0)
            return Balance(tree.Name, tree.Value, tree.Left, Remove(tree.Right, name));
        if (tree.Left is null)
            return tree.Right;
        if (tree.Right is null)
            return tree.Left;
        var min = tree.Right;
        while (min.Left is not null)
            min = min.Left;
        return Balance(min.Name, min.Value, tree.Left, RemoveMin(tree.Right));
    }

    /// <summary>A balanced tree of entries already in strictly increasing ordinal name order.</summary>
    public static NameTree? FromSorted(IReadOnlyList<string> names, IReadOnlyList<Node> values, int start, int count)
    {
        if (count == 0)
            return null;
        var mid = start + (count / 2);
        var left = FromSorted(names, values, start, mid - start);
        var right = FromSorted(names, values, mid + 1, start + count - mid - 1);
        return new NameTree(names[mid], values[mid], left, right);
    }

    private static NameTree? RemoveMin(NameTree tree) =>
        tree.Left is null ? tree.Right : Balance(tree.Name, tree.Value, RemoveMin(tree.Left), tree.Right);

    private static int HeightOf(NameTree? tree) => tree?.Height ?? 0;

    private static NameTree Balance(string name, Node value, NameTree? left, NameTree? right)
    {
        var hl = HeightOf(left);
        var hr = HeightOf(right);
        if (hl > hr + 1)
        {
            var l = left!;
            if (HeightOf(l.Left) >= HeightOf(l.Right))
                return new NameTree(l.Name, l.Value, l.Left, new NameTree(name, value, l.Right, right));
            var lr = l.Right!;
            return new NameTree(lr.Name, lr.Value,
                new NameTree(l.Name, l.Value, l.Left, lr.Left),
                new NameTree(name, value, lr.Right, right));
        }
        if (hr > hl + 1)
        {
            var r = right!;
            if (HeightOf(r.Right) >= HeightOf(r.Left))
                return new NameTree(r.Name, r.Value, new NameTree(name, value, left, r.Left), r.Right);
            var rl = r.Left!;
            return new NameTree(rl.Name, rl.Value,
                new NameTree(name, value, left, rl.Left),
                new NameTree(r.Name, r.Value, rl.Right, r.Right));
        }
        return new NameTree(name, value, left, right);
    }
}
