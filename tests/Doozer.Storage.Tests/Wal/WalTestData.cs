using Doozer.Storage.Wal;

namespace Doozer.Storage.Tests.Wal;

/// <summary>Deterministic records whose content says which index they were written at.</summary>
internal static class WalTestData
{
    public static WalRecord Record(long n)
    {
        // Lengths 0..45 so that frames do not all line up; type never 0.
        var payload = new byte[(int)(n * 7 % 46)];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(n + i);
        }
        return new WalRecord((byte)(1 + n % 250), payload);
    }

    public static async Task<long> AppendRangeAsync(WriteAheadLog wal, long from, long to, int perBatch = 1)
    {
        var last = 0L;
        for (var n = from; n <= to; n += perBatch)
        {
            var batch = new List<WalRecord>();
            for (var k = n; k < n + perBatch && k <= to; k++)
            {
                batch.Add(Record(k));
            }
            last = await wal.AppendAsync(batch);
        }
        return last;
    }

    /// <summary>Asserts the log holds exactly records 1..count as written by <see cref="Record"/>.</summary>
    public static void AssertHolds(WriteAheadLog wal, long first, long count)
    {
        Assert.Equal(count, wal.LastIndex);
        var expected = first;
        foreach (var entry in wal.ReadFrom(first))
        {
            var record = Record(expected);
            Assert.Equal(expected, entry.Index);
            Assert.Equal(record.Type, entry.Type);
            Assert.True(record.Payload.Span.SequenceEqual(entry.Payload.Span), $"payload of record {expected}");
            expected++;
        }
        Assert.Equal(count + 1, expected);
    }

    /// <summary>Start offsets of every frame in a single-segment file, plus the file's end.</summary>
    public static List<long> FrameBoundaries(byte[] segment)
    {
        var boundaries = new List<long>();
        long offset = WalFormat.SegmentHeaderSize;
        while (offset < segment.Length)
        {
            boundaries.Add(offset);
            Assert.Equal(FrameStatus.Valid, WalFormat.ReadFrame(segment.AsSpan((int)offset), out _, out _, out var length));
            offset += WalFormat.FrameSize(length);
        }
        boundaries.Add(offset);
        return boundaries;
    }
}
