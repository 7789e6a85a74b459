using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Doozer.Storage.Wal;

public sealed partial class WriteAheadLog
{
    // 1 MiB: a write per MiB costs nothing next to the fsync, and keeps pooled buffers out of the large-object heap
    // churn for typical batches (64 x 100-byte records is 7.5 KiB). Bigger records get a buffer of their own size.
    private const int WriteBufferSize = 1024 * 1024;

    private void WriterLoop()
    {
        try
        {
            while (true)
            {
                List<AppendRequest> batch;
                lock (_queueLock)
                {
                    while (_pending.Count == 0 && !_closing)
                    {
                        Monitor.Wait(_queueLock);
                    }
                    if (_pending.Count == 0)
                    {
                        return;
                    }
                    // Swap: appenders fill the other list while this batch is written and fsynced. Everything that
                    // queued during the previous fsync lands in this one batch: that is the group commit.
                    batch = _pending;
                    _pending = _spare;
                }
                WriteBatch(batch);
                batch.Clear();
                _spare = batch;
            }
        }
        finally
        {
            _writerStopped.SetResult();
        }
    }

    private void WriteBatch(List<AppendRequest> batch)
    {
        Exception? failure;
        lock (_queueLock)
        {
            failure = _failure;
        }
        if (failure is null)
        {
            try
            {
                WriteAndSync(batch);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Complete();
                }
                return;
            }
            catch (Exception error)
            {
                lock (_queueLock)
                {
                    _failure = error;
                }
                failure = error;
            }
        }
        var wrapped = new IOException("write-ahead log append failed; the outcome is unknown until the log is reopened", failure);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Fail(wrapped);
        }
    }

    private void WriteAndSync(List<AppendRequest> batch)
    {
        var next = _lastIndex + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
        var used = 0;
        try
        {
            for (var r = 0; r < batch.Count; r++)
            {
                var records = batch[r].Records;
                for (var i = 0; i < records.Count; i++)
                {
                    var payload = records[i].Payload.Span;
                    var size = WalFormat.FrameSize(payload.Length);
                    var segmentHasRecords = _activeSize + used > WalFormat.SegmentHeaderSize;
                    if (segmentHasRecords && _activeSize + used + size > _options.SegmentSizeLimit)
                    {
                        // Records before the rotation are made durable in the old segment; the new segment exists
                        // durably (file and directory entry) before any record lands in it.
                        WriteOut(buffer, ref used);
                        Sync();
                        Volatile.Write(ref _lastIndex, next - 1);
                        Rotate(next);
                    }
                    if (used + size > buffer.Length)
                    {
                        WriteOut(buffer, ref used);
                        if (size > buffer.Length)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = ArrayPool<byte>.Shared.Rent(size);
                        }
                    }
                    used += WalFormat.WriteFrame(buffer.AsSpan(used), next, records[i].Type, payload);
                    next++;
                }
                batch[r].LastIndex = next - 1;
            }
            WriteOut(buffer, ref used);
            Sync();
            // Published only now: LastIndex never runs ahead of the fsync.
            Volatile.Write(ref _lastIndex, next - 1);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void WriteOut(byte[] buffer, ref int used)
    {
        if (used == 0)
        {
            return;
        }
        RandomAccess.Write(_active, buffer.AsSpan(0, used), _activeSize);
        _activeSize += used;
        used = 0;
    }

    private void Sync()
    {
        BeforeFsync?.Invoke();
        // The segment already exists durably (CreateSegment fsynced it and its directory): appends need only their
        // data and the file's size made durable.
        DurableFiles.SyncData(_active);
        Interlocked.Increment(ref _fsyncCount);
    }

    private void Rotate(long firstIndex)
    {
        var segment = CreateSegment(_directory, firstIndex, out var handle);
        _active.Dispose();
        _active = handle;
        _activeSize = WalFormat.SegmentHeaderSize;
        lock (_segmentsLock)
        {
            _segments.Add(segment);
        }
    }

    /// <summary>
    /// Creates a segment so that it is never seen half-made: header written to a tmp file and fsynced, renamed into
    /// place, directory fsynced. The returned handle stays valid across the rename.
    /// </summary>
    private static WalSegment CreateSegment(string directory, long firstIndex, out SafeFileHandle handle)
    {
        var path = Path.Combine(directory, WalFormat.SegmentFileName(firstIndex));
        var tmp = path + ".tmp";
        handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        try
        {
            Span<byte> header = stackalloc byte[WalFormat.SegmentHeaderSize];
            WalFormat.WriteSegmentHeader(header, firstIndex);
            RandomAccess.Write(handle, header, 0);
            RandomAccess.FlushToDisk(handle);
            File.Move(tmp, path, overwrite: false);
            DurableFiles.FsyncDirectory(directory);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return new WalSegment(firstIndex, path);
    }
}
