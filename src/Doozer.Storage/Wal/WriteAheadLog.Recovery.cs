namespace Doozer.Storage.Wal;

public sealed partial class WriteAheadLog
{
    /// <summary>
    /// Opens (creating if needed) the log in <paramref name="directory"/>, verifying every segment.
    /// </summary>
    /// <remarks>
    /// Repairs exactly one kind of damage: a torn tail at the end of the last segment, i.e. a damaged or incomplete
    /// frame after which no valid frame follows to the end of the file. Such bytes were being written when the
    /// process or machine died; their fsync never completed, so they were never acknowledged. The file is truncated
    /// to the last whole record and fsynced. Anything else (a damaged frame followed by a valid one, damage in a
    /// segment that is not the last, a missing or overlapping segment, a bad header, an unknown version) throws
    /// <see cref="StorageCorruptException"/> naming the file and offset: never truncate what may have been acknowledged.
    /// </remarks>
    public static WriteAheadLog Open(string directory, WriteAheadLogOptions? options = null)
    {
        options ??= new WriteAheadLogOptions();
        directory = Path.GetFullPath(directory);
        DurableFiles.EnsureDirectory(directory);
        RemoveUnfinishedSegments(directory);

        var segments = ListSegments(directory);
        if (segments.Count == 0)
        {
            segments.Add(CreateSegment(directory, 1, out var fresh));
            return new WriteAheadLog(directory, options, segments, fresh, WalFormat.SegmentHeaderSize, 0, WalRecoveryResult.Clean);
        }

        var recovery = WalRecoveryResult.Clean;
        var expected = segments[0].FirstIndex;
        long activeSize = 0;
        for (var s = 0; s < segments.Count; s++)
        {
            var segment = segments[s];
            var isLast = s == segments.Count - 1;
            var bytes = ReadWholeFile(segment.Path);
            var headerFirst = WalFormat.ReadSegmentHeader(bytes, segment.Path);
            if (headerFirst != segment.FirstIndex)
            {
                throw new StorageCorruptException(segment.Path, 12, $"header says the first index is {headerFirst} but the file name says {segment.FirstIndex}");
            }
            if (segment.FirstIndex != expected)
            {
                throw new StorageCorruptException(segment.Path, 0, segment.FirstIndex > expected
                    ? $"missing segment: the log continues at index {expected} but this segment starts at {segment.FirstIndex}"
                    : $"overlapping segment: the log continues at index {expected} but this segment starts at {segment.FirstIndex}");
            }
            var offset = WalFormat.SegmentHeaderSize;
            while (offset < bytes.Length)
            {
                var status = WalFormat.ReadFrame(bytes.AsSpan(offset), out var recordIndex, out _, out var length);
                if (status == FrameStatus.Valid)
                {
                    if (recordIndex != expected)
                    {
                        throw new StorageCorruptException(segment.Path, offset, $"record has index {recordIndex}, expected {expected}");
                    }
                    offset += WalFormat.FrameSize(length);
                    expected++;
                    continue;
                }
                var what = status == FrameStatus.Torn ? "incomplete record" : "damaged record (CRC mismatch or invalid header)";
                if (!isLast)
                {
                    throw new StorageCorruptException(segment.Path, offset, $"{what} at index {expected} in a segment that is not the last");
                }
                var validAfter = WalFormat.FindValidFrame(bytes.AsSpan(offset + 1));
                if (validAfter >= 0)
                {
                    throw new StorageCorruptException(segment.Path, offset,
                        $"{what} at index {expected} is followed by a valid record at offset {offset + 1 + validAfter}: corruption inside the log, not a torn tail");
                }
                recovery = new WalRecoveryResult(segment.Path, offset, bytes.Length - offset);
                TruncateTornTail(segment.Path, offset);
                break;
            }
            activeSize = Math.Min(offset, bytes.Length);
        }

        var active = File.OpenHandle(segments[^1].Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        return new WriteAheadLog(directory, options, segments, active, activeSize, expected - 1, recovery);
    }

    private static void TruncateTornTail(string path, long length)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.SetLength(handle, length);
        // The shorter size must be durable before new records are appended over the torn bytes.
        RandomAccess.FlushToDisk(handle);
    }

    private static List<WalSegment> ListSegments(string directory)
    {
        var segments = new List<WalSegment>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + WalFormat.SegmentExtension))
        {
            var name = Path.GetFileName(path);
            if (!WalFormat.TryParseSegmentFileName(name, out var firstIndex))
            {
                throw new StorageCorruptException(path, 0, "unexpected file name in the WAL directory (expected <20-digit first index>.log)");
            }
            segments.Add(new WalSegment(firstIndex, path));
        }
        segments.Sort(static (a, b) => a.FirstIndex.CompareTo(b.FirstIndex));
        return segments;
    }

    /// <summary>
    /// A *.log.tmp is a segment whose creation did not finish (crash before the rename): it never held a record,
    /// because records are written only after the rename and the directory fsync.
    /// </summary>
    private static void RemoveUnfinishedSegments(string directory)
    {
        var removed = false;
        foreach (var tmp in System.IO.Directory.EnumerateFiles(directory, "*" + WalFormat.SegmentExtension + ".tmp"))
        {
            File.Delete(tmp);
            removed = true;
        }
        if (removed)
        {
            DurableFiles.FsyncDirectory(directory);
        }
    }
}
