namespace Doozer.Storage.Snapshots;

/// <summary>
/// Snapshot files in one directory. A snapshot becomes visible only whole: written as <c>&lt;index&gt;.snap.tmp</c>,
/// fsynced, renamed to <c>&lt;index&gt;.snap</c>, directory fsynced.
/// </summary>
/// <remarks>
/// A corrupt newest snapshot refuses to load rather than falling back to an older one. The WAL below the newest
/// snapshot may already be truncated, so older snapshot + remaining log would have a hole: promised ballots and
/// accepted values recorded in the hole would silently regress, which Paxos cannot survive. Since a snapshot is
/// fsynced before it is renamed into place, a corrupt one is media damage, for the operator to see.
/// The previous snapshot is kept (see <see cref="Retained"/>) so that an operator has something to fall back on.
/// </remarks>
public sealed class SnapshotStore
{
    /// <summary>The newest two: the one in use and the one before it, for an operator's manual recovery.</summary>
    public const int Retained = 2;

    private readonly string _directory;
    private readonly Lock _saveLock = new();

    private SnapshotStore(string directory) => _directory = directory;

    public string Directory => _directory;

    /// <summary>Opens the snapshot directory, creating it if needed and removing snapshots that never finished.</summary>
    public static SnapshotStore Open(string directory)
    {
        directory = Path.GetFullPath(directory);
        DurableFiles.EnsureDirectory(directory);
        // A *.snap.tmp is a snapshot whose rename never happened: it was never the snapshot of record, and the log
        // it would have allowed to be truncated is still there.
        var removed = false;
        foreach (var tmp in System.IO.Directory.EnumerateFiles(directory, "*" + SnapshotFormat.Extension + ".tmp"))
        {
            File.Delete(tmp);
            removed = true;
        }
        if (removed)
        {
            DurableFiles.FsyncDirectory(directory);
        }
        return new SnapshotStore(directory);
    }

    /// <summary>
    /// Makes <paramref name="data"/> the durable snapshot at <paramref name="index"/>. Only when this completes may
    /// the log be truncated below index + 1.
    /// </summary>
    public ValueTask SaveSnapshotAsync(long index, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SaveSnapshotAsync(index, data.Length, output => output.Write(data.Span), cancellationToken);

    /// <summary>
    /// Makes the <paramref name="length"/> bytes that <paramref name="writeData"/> writes to the stream it is given
    /// the durable snapshot at <paramref name="index"/>, streamed to the file: a snapshot of any size is never held
    /// whole in memory. Fails, leaving the previous snapshot in force, if the writer writes another number of bytes.
    /// </summary>
    public ValueTask SaveSnapshotAsync(long index, long length, Action<Stream> writeData, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(writeData);
        // Off the caller's thread: a snapshot can be hundreds of megabytes, and its fsync blocks.
        return new ValueTask(Task.Run(() => Save(index, length, writeData), cancellationToken));
    }

    /// <summary>The newest snapshot, or null when there is none. Throws if the newest one is damaged.</summary>
    public Snapshot? LoadLatestSnapshot()
    {
        var indices = ListIndices();
        if (indices.Count == 0)
        {
            return null;
        }
        var index = indices[^1];
        var path = PathOf(index);
        return new Snapshot(index, SnapshotFormat.Read(File.ReadAllBytes(path), index, path));
    }

    /// <summary>Indices of the snapshot files present, ascending.</summary>
    public IReadOnlyList<long> ListIndices()
    {
        var indices = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(_directory, "*" + SnapshotFormat.Extension))
        {
            if (!SnapshotFormat.TryParseFileName(Path.GetFileName(path), out var index))
            {
                throw new StorageCorruptException(path, 0, "unexpected file name in the snapshot directory (expected <20-digit index>.snap)");
            }
            indices.Add(index);
        }
        indices.Sort();
        return indices;
    }

    private void Save(long index, long length, Action<Stream> writeData)
    {
        lock (_saveLock)
        {
            var existing = ListIndices();
            if (existing.Count > 0 && index < existing[^1])
            {
                throw new InvalidOperationException($"snapshot {index} is older than the newest one ({existing[^1]})");
            }
            var path = PathOf(index);
            var tmp = path + ".tmp";
            try
            {
                // The header's CRC covers the data, so it is written last, over a placeholder.
                var header = new byte[SnapshotFormat.HeaderSize];
                var crc = SnapshotFormat.WriteHeaderFields(header, index, length);
                using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
                {
                    file.Write(header);
                    var data = new Crc32CStream(file, crc);
                    writeData(data);
                    if (data.Count != length)
                    {
                        throw new InvalidOperationException($"snapshot {index} was announced as {length} bytes but {data.Count} were written");
                    }
                    SnapshotFormat.WriteHeaderCrc(header, data.Crc);
                    file.Position = 0;
                    file.Write(header);
                    file.Flush(flushToDisk: true);
                }
            }
            catch
            {
                File.Delete(tmp);
                throw;
            }
            File.Move(tmp, path, overwrite: true);
            DurableFiles.FsyncDirectory(_directory);

            // Older snapshots go only after the new one is durable.
            var all = ListIndices();
            var removed = false;
            for (var i = 0; i < all.Count - Retained; i++)
            {
                File.Delete(PathOf(all[i]));
                removed = true;
            }
            if (removed)
            {
                DurableFiles.FsyncDirectory(_directory);
            }
        }
    }

    private string PathOf(long index) => Path.Combine(_directory, SnapshotFormat.FileName(index));
}
