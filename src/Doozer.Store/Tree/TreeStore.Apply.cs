using Doozer.Store.Commands;
using Doozer.Store.Paths;

namespace Doozer.Store.Tree;

public sealed partial class TreeStore
{
    /// <summary>Applies one decided command. Deterministic: the same commands in the same order give the same tree.</summary>
    /// <remarks>
    /// Error order follows RFC 9110 13.2.1 and API.md 2: /ctl protection (403, and the 400 of a bad slot value) first,
    /// then what the request would get without its precondition (not-found, is-dir, not-dir), then the precondition.
    /// Nothing is changed and no revision is consumed unless the result is Ok with changes.
    /// </remarks>
    /// <exception cref="ArgumentException">A command with an invalid path: a bug in whoever built it.</exception>
    public ApplyResult Apply(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            SetCommand set => ApplySet(set),
            DeleteCommand delete => ApplyDelete(delete),
            DeleteTreeCommand deleteTree => ApplyDeleteTree(deleteTree),
            NopCommand => Unchanged(ApplyStatus.Ok),
            _ => throw new ArgumentException($"Unknown command {command.GetType().Name}.", nameof(command)),
        };
    }

    private ApplyResult ApplySet(SetCommand command)
    {
        var path = command.Path;
        StoreView.RequireValidPath(path);
        var root = _current.Root;
        if (command.Origin == CommandOrigin.Client && ControlTree.Contains(path))
        {
            if (!ControlTree.IsVoterSlot(path))
                return Unchanged(ApplyStatus.ReadOnlyPath);
            if (!ControlTree.IsValidSlotValue(root, command.Value.Span))
                return Unchanged(ApplyStatus.BadSlotValue);
        }
        if (path == TreePath.Root)
            return Unchanged(ApplyStatus.IsDir);

        var rev = _current.Rev + 1;
        var status = SetBelow(root, path.AsSpan(1), rev, command, out var newRoot, out var file, out var written);
        if (status != ApplyStatus.Ok)
            return Unchanged(status, status == ApplyStatus.RevMismatch ? file?.Rev ?? 0 : 0);
        Change[] changes = [new Change(rev, path, ChangeKind.Set, written!.Value)];
        Commit((DirNode)newRoot!, changes);
        return new ApplyResult(ApplyStatus.Ok, rev, 0, file is null, changes);
    }

    /// <summary>
    /// Sets the file at <paramref name="rest"/> (a path relative to <paramref name="dir"/>, null when the directory
    /// does not exist yet) and returns the copied directory. Every check happens on the way down, before anything is
    /// allocated; the copies are made on the way back up, so a failed set allocates nothing.
    /// </summary>
    /// <param name="existing">The file being overwritten, if any (also on RevMismatch).</param>
    /// <param name="written">The new file.</param>
    private static ApplyStatus SetBelow(
        DirNode? dir,
        ReadOnlySpan<char> rest,
        long rev,
        SetCommand command,
        out Node? replacement,
        out FileNode? existing,
        out FileNode? written)
    {
        replacement = null;
        existing = null;
        written = null;
        var slash = rest.IndexOf('/');
        var name = slash < 0 ? rest : rest[..slash];
        var entry = dir?.Find(name);
        Node child;
        if (slash >= 0)
        {
            if (entry is FileNode)
                return ApplyStatus.NotDir;
            var status = SetBelow((DirNode?)entry, rest[(slash + 1)..], rev, command, out var below, out existing, out written);
            if (status != ApplyStatus.Ok)
                return status;
            child = below!;
        }
        else
        {
            if (entry is DirNode)
                return ApplyStatus.IsDir;
            existing = (FileNode?)entry;
            if (!IsSatisfied(command.Precondition, existing))
                return ApplyStatus.RevMismatch;
            child = written = new FileNode(rev, command.Value.ToArray());
        }
        replacement = (dir ?? DirNode.Empty).With(name, null, child);
        return ApplyStatus.Ok;
    }

    private ApplyResult ApplyDelete(DeleteCommand command)
    {
        var path = command.Path;
        StoreView.RequireValidPath(path);
        if (command.Origin == CommandOrigin.Client && ControlTree.Contains(path) && !ControlTree.IsVoterSlot(path))
            return Unchanged(ApplyStatus.ReadOnlyPath);
        if (path == TreePath.Root)
            return Unchanged(ApplyStatus.IsDir);
        var root = _current.Root;
        var status = StoreView.Locate(root, path, out var node);
        if (status != ReadStatus.Ok)
            return Unchanged(status == ReadStatus.NotDir ? ApplyStatus.NotDir : ApplyStatus.NotFound);
        if (node is not FileNode file)
            return Unchanged(ApplyStatus.IsDir);
        if (!IsSatisfied(command.Precondition, file))
            return Unchanged(ApplyStatus.RevMismatch, file.Rev);

        var rev = _current.Rev + 1;
        Change[] changes = [new Change(rev, path, ChangeKind.Del, ReadOnlyMemory<byte>.Empty)];
        Commit(Remove(root, path), changes);
        return new ApplyResult(ApplyStatus.Ok, rev, 0, false, changes);
    }

    private ApplyResult ApplyDeleteTree(DeleteTreeCommand command)
    {
        var path = command.Path;
        StoreView.RequireValidPath(path);
        var root = _current.Root;
        var status = StoreView.Locate(root, path, out var node);
        if (command.Origin == CommandOrigin.Client)
        {
            // A voter slot that is a file (or missing) may be deleted; any other delete reaching a /ctl file may not.
            var reachesControl = ControlTree.Contains(path)
                ? !(ControlTree.IsVoterSlot(path) && node is not DirNode)
                : path == TreePath.Root && root.Find(ControlTree.Name) is not null;
            if (reachesControl)
                return Unchanged(ApplyStatus.ReadOnlyPath);
        }
        if (status != ReadStatus.Ok)
            return Unchanged(status == ReadStatus.NotDir ? ApplyStatus.NotDir : ApplyStatus.NotFound);

        var rev = _current.Rev + 1;
        var deleted = new List<Change>();
        if (node is FileNode)
            deleted.Add(new Change(rev, path, ChangeKind.Del, ReadOnlyMemory<byte>.Empty));
        else
            CollectDeletes(((DirNode)node!).Entries, path, rev, deleted);
        if (deleted.Count == 0)
            return Unchanged(ApplyStatus.Ok); // Only an empty root has nothing below it.

        Change[] changes = [.. deleted];
        Commit(path == TreePath.Root ? DirNode.Empty : Remove(root, path), changes);
        return new ApplyResult(ApplyStatus.Ok, rev, 0, false, changes);
    }

    private void Commit(DirNode root, Change[] changes) => Publish(new StoreView(_current.Rev + 1, root, changes));

    private ApplyResult Unchanged(ApplyStatus status, long currentRev = 0) =>
        new(status, _current.Rev, currentRev, false, []);

    private static bool IsSatisfied(Precondition precondition, FileNode? file) => precondition.Kind switch
    {
        PreconditionKind.None => true,
        PreconditionKind.Exists => file is not null,
        PreconditionKind.Missing => file is null,
        PreconditionKind.RevIn => file is not null && precondition.Revs is { } revs && Array.IndexOf(revs, file.Rev) >= 0,
        _ => throw new ArgumentException($"Unknown precondition kind {precondition.Kind}."),
    };

    /// <summary>
    /// The tree without the existing non-root node at <paramref name="path"/>. A directory left empty goes too,
    /// up to (not including) the root.
    /// </summary>
    private static DirNode Remove(DirNode root, string path)
    {
        var names = Split(path);
        var dirs = new DirNode[names.Length];
        dirs[0] = root;
        for (var i = 1; i < names.Length; i++)
            dirs[i] = (DirNode)dirs[i - 1].Find(names[i - 1])!;

        DirNode? replacement = null; // null: remove the entry from its parent
        for (var i = names.Length - 1; i >= 0; i--)
        {
            var updated = replacement is null ? dirs[i].Without(names[i]) : dirs[i].With(names[i], replacement);
            replacement = updated.Count == 0 && i > 0 ? null : updated;
        }
        return replacement!;
    }

    /// <summary>A Del change for every file below <paramref name="dirPath"/>, in path order.</summary>
    private static void CollectDeletes(NameTree? entries, string dirPath, long rev, List<Change> output)
    {
        if (entries is null)
            return;
        CollectDeletes(entries.Left, dirPath, rev, output);
        var path = TreePath.Child(dirPath, entries.Name);
        if (entries.Value is DirNode dir)
            CollectDeletes(dir.Entries, path, rev, output);
        else
            output.Add(new Change(rev, path, ChangeKind.Del, ReadOnlyMemory<byte>.Empty));
        CollectDeletes(entries.Right, dirPath, rev, output);
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
