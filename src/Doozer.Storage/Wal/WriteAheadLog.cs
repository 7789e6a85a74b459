using Microsoft.Win32.SafeHandles;

namespace Doozer.Storage.Wal;

/// <summary>
/// An append-only log of opaque records in segment files, with group commit: every append is durable (fsynced)
/// before it completes, and appends that arrive while an fsync is in progress share the next one.
/// </summary>
/// <remarks>
/// Invariant: nothing is acknowledged before the fsync that covers it. An append's task completes only after the
/// frames it carries were written and the segment holding them was fsynced (and, for a new segment, the directory).
/// Invariant: indices are contiguous from <see cref="FirstIndex"/> to <see cref="LastIndex"/> across segments.
/// After a failed write or fsync the log refuses every further append: the kernel may have dropped the dirty pages
/// (the 2018 "fsyncgate"), so only a restart, which re-reads the files, knows what is on disk.
/// </remarks>
public sealed partial class WriteAheadLog : IAsyncDisposable
{
    private readonly string _directory;
    private readonly WriteAheadLogOptions _options;

    // Guards the segment list: the writer adds on rotation, TruncateBefore removes, readers copy.
    private readonly Lock _segmentsLock = new();
    private readonly List<WalSegment> _segments;

    // Owned by the writer thread once it starts (and by DisposeAsync after it stopped).
    private SafeFileHandle _active;
    private long _activeSize;

    // Invariant: _lastIndex is the highest index covered by a completed fsync.
    private long _lastIndex;
    private long _fsyncCount;

    // A plain object, not System.Threading.Lock: the writer waits on it with Monitor.Wait.
    private readonly object _queueLock = new();
    private List<AppendRequest> _pending = [];
    private List<AppendRequest> _spare = [];
    private bool _closing;
    private Exception? _failure;
    private readonly Thread _writer;
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WriteAheadLog(string directory, WriteAheadLogOptions options, List<WalSegment> segments,
        SafeFileHandle active, long activeSize, long lastIndex, WalRecoveryResult recovery)
    {
        _directory = directory;
        _options = options;
        _segments = segments;
        _active = active;
        _activeSize = activeSize;
        _lastIndex = lastIndex;
        Recovery = recovery;
        // A dedicated thread, not the thread pool: it blocks in fsync for most of its life.
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "doozer-wal-writer" };
        _writer.Start();
    }

    public string Directory => _directory;

    /// <summary>The lowest index still in the log (1 until segments are truncated after a snapshot).</summary>
    public long FirstIndex
    {
        get
        {
            lock (_segmentsLock)
            {
                return _segments[0].FirstIndex;
            }
        }
    }

    /// <summary>The highest durable index; <see cref="FirstIndex"/> - 1 when the log is empty.</summary>
    public long LastIndex => Volatile.Read(ref _lastIndex);

    /// <summary>What opening had to repair.</summary>
    public WalRecoveryResult Recovery { get; }

    /// <summary>Data fsyncs of segment files so far (tests prove group commit with it).</summary>
    internal long FsyncCount => Interlocked.Read(ref _fsyncCount);

    /// <summary>Test hook run on the writer thread just before each data fsync (to hold or fail it).</summary>
    internal Action? BeforeFsync { get; set; }

    internal int SegmentCount
    {
        get
        {
            lock (_segmentsLock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>
    /// Appends the records, in order, with contiguous indices, and completes once they are durable. Returns the
    /// index of the last one. Concurrent calls are coalesced into one write and one fsync.
    /// </summary>
    /// <remarks>
    /// The token is observed only before the records are queued: once queued they will be written, and the task
    /// reports it. A faulted task means the outcome is unknown until the log is reopened.
    /// </remarks>
    public ValueTask<long> AppendAsync(IReadOnlyList<WalRecord> records, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<long>(cancellationToken);
        }
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (record.Type == 0)
            {
                throw new ArgumentException("record type 0 is reserved (it is what a zeroed file region looks like)", nameof(records));
            }
            if (record.Payload.Length > WalFormat.MaxPayloadLength)
            {
                throw new ArgumentException($"record payload of {record.Payload.Length} bytes exceeds {WalFormat.MaxPayloadLength}", nameof(records));
            }
        }
        if (records.Count == 0)
        {
            return ValueTask.FromResult(LastIndex);
        }
        var request = AppendRequest.Rent(records);
        var result = request.AsValueTask();
        lock (_queueLock)
        {
            if (_failure is not null)
            {
                request.Fail(new IOException("the write-ahead log failed earlier and accepts no more appends; restart to recover", _failure));
                return result;
            }
            ObjectDisposedException.ThrowIf(_closing, this);
            _pending.Add(request);
            if (_pending.Count == 1)
            {
                // The writer waits only while the queue is empty, so only the first arrival needs to wake it.
                Monitor.Pulse(_queueLock);
            }
        }
        return result;
    }

    /// <summary>
    /// Reads the durable records from <paramref name="index"/> on, re-checking every CRC. Meant for replay at start,
    /// before appending resumes; it sees only records durable when it started.
    /// </summary>
    public IEnumerable<WalEntry> ReadFrom(long index)
    {
        WalSegment[] segments;
        lock (_segmentsLock)
        {
            segments = [.. _segments];
        }
        var last = LastIndex;
        if (index < segments[0].FirstIndex || index > last + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the log holds indices {segments[0].FirstIndex}..{last}");
        }
        return Read(segments, index, last);
    }

    private static IEnumerable<WalEntry> Read(WalSegment[] segments, long from, long last)
    {
        for (var s = 0; s < segments.Length; s++)
        {
            var nextFirst = s + 1 < segments.Length ? segments[s + 1].FirstIndex : last + 1;
            if (nextFirst <= from)
            {
                continue;
            }
            if (segments[s].FirstIndex > last)
            {
                yield break;
            }
            var bytes = ReadWholeFile(segments[s].Path);
            var offset = WalFormat.SegmentHeaderSize;
            for (var expected = segments[s].FirstIndex; expected < nextFirst; expected++)
            {
                var status = WalFormat.ReadFrame(bytes.AsSpan(offset), out var recordIndex, out var type, out var length);
                if (status != FrameStatus.Valid || recordIndex != expected)
                {
                    throw new StorageCorruptException(segments[s].Path, offset,
                        $"record {expected} no longer reads back ({status}, index {recordIndex}) although it was verified at open");
                }
                if (expected >= from)
                {
                    yield return new WalEntry(expected, type, bytes.AsMemory(offset + WalFormat.FrameHeaderSize, length));
                }
                offset += WalFormat.FrameSize(length);
            }
        }
    }

    /// <summary>
    /// Deletes every segment whose records are all below <paramref name="index"/>. Call only once a snapshot that
    /// covers index - 1 is durable; the active segment is never deleted.
    /// </summary>
    public void TruncateBefore(long index)
    {
        lock (_segmentsLock)
        {
            while (_segments.Count > 1 && _segments[1].FirstIndex <= index)
            {
                // Oldest first, with a directory fsync after each: whatever a crash keeps is a contiguous suffix,
                // never a log with a hole in it.
                File.Delete(_segments[0].Path);
                DurableFiles.FsyncDirectory(_directory);
                _segments.RemoveAt(0);
            }
        }
    }

    /// <summary>Completes the queued appends, stops the writer and closes the active segment.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_queueLock)
        {
            if (_closing)
            {
                return;
            }
            _closing = true;
            Monitor.Pulse(_queueLock);
        }
        await _writerStopped.Task.ConfigureAwait(false);
        _active.Dispose();
    }

    private static byte[] ReadWholeFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        if (length > Array.MaxLength)
        {
            throw new StorageCorruptException(path, 0, $"segment of {length} bytes is larger than any segment this build writes");
        }
        var bytes = new byte[length];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
            if (n == 0)
            {
                throw new IOException($"{path} shrank while being read");
            }
            read += n;
        }
        return bytes;
    }
}
