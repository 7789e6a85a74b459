using Doozer.Storage.Snapshots;
using Doozer.Storage.Wal;

namespace Doozer.Storage;

/// <summary>
/// A node's data directory, held exclusively: its write-ahead log (<c>wal/</c>), snapshots (<c>snap/</c>) and
/// identity (<c>node-id</c>).
/// </summary>
/// <remarks>
/// The lock is an exclusive advisory lock (flock on Unix, via <see cref="FileShare.None"/>) on <c>LOCK</c>, held
/// for the life of this object. The kernel drops it when the process dies, so a kill -9 leaves no stale lock.
/// Two processes acting as one node would each accept, under one id, what the other promised not to.
/// </remarks>
public sealed class DataDirectory : IAsyncDisposable
{
    public const string LockFileName = "LOCK";

    private readonly FileStream _lock;

    private DataDirectory(string path, FileStream lockFile, WriteAheadLog log, SnapshotStore snapshots)
    {
        Path = path;
        _lock = lockFile;
        Log = log;
        Snapshots = snapshots;
    }

    public string Path { get; }

    public WriteAheadLog Log { get; }

    public SnapshotStore Snapshots { get; }

    /// <summary>
    /// Creates the directory if needed, locks it, and opens (recovering) the log and the snapshots.
    /// Throws <see cref="DataDirectoryLockedException"/> if it is in use and <see cref="StorageCorruptException"/>
    /// if anything is damaged beyond a torn log tail.
    /// </summary>
    public static DataDirectory Open(string path, WriteAheadLogOptions? logOptions = null)
    {
        path = System.IO.Path.GetFullPath(path);
        DurableFiles.EnsureDirectory(path);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(System.IO.Path.Combine(path, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException error)
        {
            throw new DataDirectoryLockedException(path, error);
        }
        try
        {
            // The pid is for the operator reading the file; the lock itself is the flock.
            lockFile.SetLength(0);
            lockFile.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n"));
            lockFile.Flush();
            var snapshots = SnapshotStore.Open(System.IO.Path.Combine(path, "snap"));
            var log = WriteAheadLog.Open(System.IO.Path.Combine(path, "wal"), logOptions);
            try
            {
                CheckLogFollowsSnapshot(log, snapshots);
            }
            catch
            {
                log.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
            return new DataDirectory(path, lockFile, log, snapshots);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Invariant: snapshot + log cover every index from 1 on. The log is truncated only below a durable snapshot, so a
    /// log that starts after the newest snapshot's index + 1 means files were lost; replaying it would regress state.
    /// </summary>
    private static void CheckLogFollowsSnapshot(WriteAheadLog log, SnapshotStore snapshots)
    {
        var first = log.FirstIndex;
        if (first <= 1)
        {
            return;
        }
        var indices = snapshots.ListIndices();
        var covered = indices.Count == 0 ? 0 : indices[^1];
        if (covered < first - 1)
        {
            throw new StorageCorruptException(System.IO.Path.Combine(log.Directory, WalFormat.SegmentFileName(first)), 0,
                $"the log starts at index {first} but the newest snapshot covers only up to {covered}: records in between are missing");
        }
    }

    /// <summary>The node id stored here, or null on a node's first start.</summary>
    public string? ReadNodeId()
    {
        var file = System.IO.Path.Combine(Path, NodeIdFile.FileName);
        return File.Exists(file) ? NodeIdFile.Decode(File.ReadAllBytes(file), file) : null;
    }

    /// <summary>
    /// The node id stored here; on first start, <paramref name="createId"/>'s id, stored durably (tmp, fsync,
    /// rename, directory fsync) before it is returned, so a node never runs under an id it could forget.
    /// </summary>
    public string GetOrCreateNodeId(Func<string> createId)
    {
        var existing = ReadNodeId();
        if (existing is not null)
        {
            return existing;
        }
        var id = createId();
        DurableFiles.WriteAtomically(System.IO.Path.Combine(Path, NodeIdFile.FileName), NodeIdFile.Encode(id));
        return id;
    }

    /// <summary>
    /// Saves a snapshot covering the log up to <paramref name="index"/>, then deletes the log segments it makes
    /// redundant. The order is the point: the log is never shortened before the snapshot is durable.
    /// </summary>
    public async ValueTask SaveSnapshotAndCompactAsync(long index, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await Snapshots.SaveSnapshotAsync(index, data, cancellationToken).ConfigureAwait(false);
        Log.TruncateBefore(index + 1);
    }

    /// <summary>
    /// As <see cref="SaveSnapshotAndCompactAsync(long, ReadOnlyMemory{byte}, CancellationToken)"/>, with the snapshot's
    /// <paramref name="length"/> bytes streamed to its file by <paramref name="writeData"/>.
    /// </summary>
    public async ValueTask SaveSnapshotAndCompactAsync(long index, long length, Action<Stream> writeData, CancellationToken cancellationToken = default)
    {
        await Snapshots.SaveSnapshotAsync(index, length, writeData, cancellationToken).ConfigureAwait(false);
        Log.TruncateBefore(index + 1);
    }

    public async ValueTask DisposeAsync()
    {
        await Log.DisposeAsync().ConfigureAwait(false);
        await _lock.DisposeAsync().ConfigureAwait(false);
    }
}
