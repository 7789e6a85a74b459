namespace Doozer.Store.Tree;

public enum NodeKind : byte
{
    File = 0,
    Dir = 1,
}

public enum ChangeKind : byte
{
    Set = 0,
    Del = 1,
}

/// <summary>Outcome of applying one command. Errors are values, mapped to HTTP problems at the edge.</summary>
public enum ApplyStatus : byte
{
    Ok = 0,
    NotFound,
    IsDir,
    NotDir,
    RevMismatch,
    /// <summary>A client write under /ctl other than a voter slot.</summary>
    ReadOnlyPath,
    /// <summary>A voter slot written with something other than empty or a registered node id.</summary>
    BadSlotValue,
}

public enum ReadStatus : byte
{
    Ok = 0,
    NotFound,
    /// <summary>An ancestor of the path is a file (or a file was asked for as a directory).</summary>
    NotDir,
}

/// <summary>One changed file of one revision, as watches and waits report it.</summary>
public sealed record Change(long Rev, string Path, ChangeKind Kind, ReadOnlyMemory<byte> Value);

/// <param name="Status">Ok or the reason nothing changed.</param>
/// <param name="Rev">The store revision after applying (the new revision when something changed).</param>
/// <param name="CurrentRev">For <see cref="ApplyStatus.RevMismatch"/>: the file's rev, 0 when it does not exist.</param>
/// <param name="Created">A set that created the file.</param>
/// <param name="Changes">The changed files in path order; empty when nothing changed.</param>
public sealed record ApplyResult(ApplyStatus Status, long Rev, long CurrentRev, bool Created, IReadOnlyList<Change> Changes);

/// <summary>What is at a path. For a file: its rev and value; for a directory: its number of entries.</summary>
public readonly record struct Lookup(ReadStatus Status, NodeKind Kind, long Rev, ReadOnlyMemory<byte> Value, int EntryCount);

/// <summary>A directory entry. <see cref="Rev"/> and <see cref="Size"/> are 0 for directories.</summary>
public readonly record struct DirEntry(string Name, NodeKind Kind, long Rev, int Size);

/// <param name="Next">The last name of this page when more entries follow, else null.</param>
public sealed record DirPage(ReadStatus Status, NodeKind Kind, IReadOnlyList<DirEntry> Entries, string? Next);

public readonly record struct WalkFile(string Path, long Rev, ReadOnlyMemory<byte> Value);

/// <param name="Next">The last path of this page when more files follow, else null.</param>
public sealed record WalkPage(IReadOnlyList<WalkFile> Files, string? Next);
