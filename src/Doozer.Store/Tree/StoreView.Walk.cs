using Doozer.Store.Paths;

namespace Doozer.Store.Tree;

public sealed partial class StoreView
{
    /// <summary>Files matching <paramref name="glob"/> in path order, strictly after path <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public WalkPage Walk(Glob glob, string? after, int limit)
    {
        ArgumentNullException.ThrowIfNull(glob);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var walker = new Walker(glob, after, limit);
        walker.WalkDir(Root, TreePath.Root, 0, walker.AfterNames.Length > 0);
        var files = walker.Files;
        string? next = null;
        if (files.Count > limit)
        {
            files.RemoveAt(limit);
            next = files[limit - 1].Path;
        }
        return new WalkPage(files, next);
    }

    /// <summary>
    /// A depth-first walk in path order. While the walk is on the directories leading to <c>after</c> it is
    /// "constrained": at depth d it skips names below after's d-th name, so resuming a walk costs
    /// O(depth x log fan-out) rather than a scan of everything before <c>after</c>.
    /// </summary>
    private sealed class Walker(Glob glob, string? after, int limit)
    {
        public string[] AfterNames { get; } =
            after is null ? [] : after.Split('/', StringSplitOptions.RemoveEmptyEntries);

        // One file more than asked tells whether another page follows.
        public List<WalkFile> Files { get; } = new(Math.Min(limit, 1024) + 1);

        private bool Full => Files.Count > limit;

        public void WalkDir(DirNode dir, string dirPath, int depth, bool constrained)
        {
            var lower = constrained ? AfterNames[depth] : null;
            var lastAfterName = constrained && depth == AfterNames.Length - 1;
            var literal = glob.LiteralNameAt(depth);
            if (literal is null)
            {
                WalkEntries(dir.Entries, dirPath, depth, lower, lastAfterName);
                return;
            }
            var c = lower is null ? 1 : string.CompareOrdinal(literal, lower);
            if (c < 0)
                return;
            var node = dir.Find(literal);
            if (node is not null)
                Visit(literal, node, dirPath, depth, c == 0, lastAfterName);
        }

        private void WalkEntries(NameTree? tree, string dirPath, int depth, string? lower, bool lastAfterName)
        {
            if (tree is null || Full)
                return;
            var c = lower is null ? 1 : string.CompareOrdinal(tree.Name, lower);
            if (c >= 0)
            {
                WalkEntries(tree.Left, dirPath, depth, lower, lastAfterName);
                if (Full)
                    return;
                Visit(tree.Name, tree.Value, dirPath, depth, c == 0, lastAfterName);
            }
            WalkEntries(tree.Right, dirPath, depth, lower, lastAfterName);
        }

        /// <param name="onAfterPath">The entry is after's name at this depth: it is <c>after</c> or an ancestor of it.</param>
        private void Visit(string name, Node node, string dirPath, int depth, bool onAfterPath, bool lastAfterName)
        {
            if (Full)
                return;
            var path = TreePath.Child(dirPath, name);
            if (node is FileNode file)
            {
                // A file on after's path is after itself or sorts before it: never part of this page.
                if (!onAfterPath && glob.Matches(path))
                    Files.Add(new WalkFile(path, file.Rev, file.Value));
                return;
            }
            if (glob.MayMatchBelow(path))
                WalkDir((DirNode)node, path, depth + 1, onAfterPath && !lastAfterName);
        }
    }
}
