using Doozer.Store.Commands;
using Doozer.Store.Tree;

namespace Doozer.Store.Tests.Tree;

/// <summary>
/// The dumb model the store is checked against: a sorted dictionary of files, replayed command by command, with
/// directories derived from the files below them. It implements API.md's rules straight from their wording.
/// </summary>
internal sealed class TreeOracle
{
    public SortedDictionary<string, (byte[] Value, long Rev)> Files { get; private set; } = new(PathOrder.Instance);

    public long Rev { get; private set; }

    public TreeOracle Clone() => new() { Files = new SortedDictionary<string, (byte[], long)>(Files, PathOrder.Instance), Rev = Rev };

    public bool IsFile(string path) => Files.ContainsKey(path);

    public bool IsDir(string path) => path == "/" || Files.Keys.Any(f => f.StartsWith(path + "/", StringComparison.Ordinal));

    public bool AncestorIsFile(string path)
    {
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i < names.Length; i++)
        {
            if (IsFile("/" + string.Join('/', names[..i])))
                return true;
        }
        return false;
    }

    /// <summary>Entry names of a directory with the node (file value/rev, or null for a dir), ordinal order.</summary>
    public SortedDictionary<string, (byte[] Value, long Rev)?> Children(string dir)
    {
        var prefix = dir == "/" ? "/" : dir + "/";
        var children = new SortedDictionary<string, (byte[], long)?>(StringComparer.Ordinal);
        foreach (var (path, file) in Files)
        {
            if (!path.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            var rest = path[prefix.Length..];
            var slash = rest.IndexOf('/');
            children[slash < 0 ? rest : rest[..slash]] = slash < 0 ? file : null;
        }
        return children;
    }

    public (ApplyStatus Status, long CurrentRev, bool Created, List<(string Path, ChangeKind Kind, byte[] Value)> Changes) Apply(Command command)
    {
        var none = new List<(string, ChangeKind, byte[])>();
        var client = command.Origin == CommandOrigin.Client;
        switch (command)
        {
            case SetCommand set:
                {
                    var path = set.Path;
                    var value = set.Value.ToArray();
                    if (client && UnderCtl(path))
                    {
                        if (!IsSlot(path))
                            return (ApplyStatus.ReadOnlyPath, 0, false, none);
                        if (value.Length != 0 && !IsRegisteredNode(value))
                            return (ApplyStatus.BadSlotValue, 0, false, none);
                    }
                    if (path == "/")
                        return (ApplyStatus.IsDir, 0, false, none);
                    if (AncestorIsFile(path))
                        return (ApplyStatus.NotDir, 0, false, none);
                    if (IsDir(path))
                        return (ApplyStatus.IsDir, 0, false, none);
                    var exists = Files.TryGetValue(path, out var file);
                    if (!Satisfied(set.Precondition, exists, file.Rev))
                        return (ApplyStatus.RevMismatch, exists ? file.Rev : 0, false, none);
                    Rev++;
                    Files[path] = (value, Rev);
                    return (ApplyStatus.Ok, 0, !exists, [(path, ChangeKind.Set, value)]);
                }
            case DeleteCommand delete:
                {
                    var path = delete.Path;
                    if (client && UnderCtl(path) && !IsSlot(path))
                        return (ApplyStatus.ReadOnlyPath, 0, false, none);
                    if (path == "/")
                        return (ApplyStatus.IsDir, 0, false, none);
                    if (AncestorIsFile(path))
                        return (ApplyStatus.NotDir, 0, false, none);
                    if (IsDir(path))
                        return (ApplyStatus.IsDir, 0, false, none);
                    if (!Files.TryGetValue(path, out var file))
                        return (ApplyStatus.NotFound, 0, false, none);
                    if (!Satisfied(delete.Precondition, true, file.Rev))
                        return (ApplyStatus.RevMismatch, file.Rev, false, none);
                    Rev++;
                    Files.Remove(path);
                    return (ApplyStatus.Ok, 0, false, [(path, ChangeKind.Del, [])]);
                }
            case DeleteTreeCommand deleteTree:
                {
                    var path = deleteTree.Path;
                    if (client)
                    {
                        var readOnly = UnderCtl(path)
                            ? !(IsSlot(path) && !IsDir(path))
                            : path == "/" && Files.Keys.Any(UnderCtl);
                        if (readOnly)
                            return (ApplyStatus.ReadOnlyPath, 0, false, none);
                    }
                    if (AncestorIsFile(path))
                        return (ApplyStatus.NotDir, 0, false, none);
                    if (!IsFile(path) && !IsDir(path))
                        return (ApplyStatus.NotFound, 0, false, none);
                    var doomed = Files.Keys.Where(f => f == path || path == "/" || f.StartsWith(path + "/", StringComparison.Ordinal)).ToList();
                    if (doomed.Count == 0)
                        return (ApplyStatus.Ok, 0, false, none);
                    Rev++;
                    foreach (var f in doomed)
                        Files.Remove(f);
                    return (ApplyStatus.Ok, 0, false, doomed.Select(f => (f, ChangeKind.Del, Array.Empty<byte>())).ToList());
                }
            case NopCommand:
                return (ApplyStatus.Ok, 0, false, none);
            default:
                throw new ArgumentException("unknown command");
        }
    }

    private bool IsRegisteredNode(byte[] value)
    {
        var id = System.Text.Encoding.UTF8.GetString(value);
        return System.Text.RegularExpressions.Regex.IsMatch(id, "^[A-Za-z0-9._-]{1,255}$") && id is not ("." or "..")
            && IsDir("/ctl/node/" + id);
    }

    private static bool UnderCtl(string path) => path == "/ctl" || path.StartsWith("/ctl/", StringComparison.Ordinal);

    private static bool IsSlot(string path) =>
        System.Text.RegularExpressions.Regex.IsMatch(path, "^/ctl/cal/[0-9]+$");

    private static bool Satisfied(Precondition precondition, bool exists, long rev) => precondition.Kind switch
    {
        PreconditionKind.None => true,
        PreconditionKind.Exists => exists,
        PreconditionKind.Missing => !exists,
        _ => exists && (precondition.Revs ?? []).Contains(rev),
    };
}
