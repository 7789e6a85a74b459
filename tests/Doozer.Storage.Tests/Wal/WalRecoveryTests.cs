using Doozer.Storage.Wal;

namespace Doozer.Storage.Tests.Wal;

/// <summary>
/// Crash safety (TESTING.md tier 5): recovery keeps every whole record, drops only a torn tail of the last segment,
/// and refuses (without touching the files) when the damage could hide acknowledged records.
/// </summary>
public sealed class WalRecoveryTests
{
    private const int Records = 12;
    private const string FirstSegment = "00000000000000000001.log";

    /// <summary>A single-segment log holding records 1..12, as bytes.</summary>
    private static async Task<byte[]> WrittenSegmentAsync()
    {
        using var dir = new TempDirectory();
        await using (var wal = WriteAheadLog.Open(dir.Path))
        {
            await WalTestData.AppendRangeAsync(wal, 1, Records, perBatch: 5);
        }
        return await File.ReadAllBytesAsync(dir.Combine(FirstSegment));
    }

    [Fact]
    public async Task Truncation_at_every_byte_keeps_exactly_the_whole_records_before_it()
    {
        var segment = await WrittenSegmentAsync();
        var boundaries = WalTestData.FrameBoundaries(segment);
        // Every cut from the end of the header to the end of the file: all record boundaries, and every byte inside
        // every record (the last record of the cut file is then the torn one).
        for (var cut = WalFormat.SegmentHeaderSize; cut <= segment.Length; cut++)
        {
            using var dir = new TempDirectory();
            var path = dir.Combine(FirstSegment);
            await File.WriteAllBytesAsync(path, segment.AsMemory(0, cut));
            var whole = boundaries.Count(b => b <= cut) - 1;
            var atBoundary = boundaries.Contains(cut);
            await using (var wal = WriteAheadLog.Open(dir.Path))
            {
                WalTestData.AssertHolds(wal, 1, whole);
                Assert.Equal(!atBoundary, wal.Recovery.Repaired);
                if (!atBoundary)
                {
                    Assert.Equal(boundaries[whole], wal.Recovery.TruncatedAtOffset);
                    Assert.Equal(cut - boundaries[whole], wal.Recovery.DroppedBytes);
                }
                // The log continues cleanly over the repaired tail.
                Assert.Equal(whole + 1, await WalTestData.AppendRangeAsync(wal, whole + 1, whole + 1));
            }
            Assert.Equal(boundaries[whole] + WalFormat.FrameSize(WalTestData.Record(whole + 1).Payload.Length), new FileInfo(path).Length);
            await using var reopened = WriteAheadLog.Open(dir.Path);
            Assert.False(reopened.Recovery.Repaired);
            WalTestData.AssertHolds(reopened, 1, whole + 1);
        }
    }

    [Theory]
    [InlineData(512)]
    [InlineData(4096)]
    public async Task Zeroed_tail_sectors_after_the_records_are_dropped(int zeroBytes)
    {
        // The file system extended the file but the data blocks never reached the disk.
        var segment = await WrittenSegmentAsync();
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.Combine(FirstSegment), [.. segment, .. new byte[zeroBytes]]);
        await using var wal = WriteAheadLog.Open(dir.Path);
        WalTestData.AssertHolds(wal, 1, Records);
        Assert.Equal(zeroBytes, wal.Recovery.DroppedBytes);
    }

    [Fact]
    public async Task A_zeroed_last_sector_drops_the_records_it_overlaps_and_keeps_the_ones_before()
    {
        var segment = await WrittenSegmentAsync();
        var boundaries = WalTestData.FrameBoundaries(segment);
        var sectorStart = segment.Length - 64;
        var damaged = segment.ToArray();
        Array.Clear(damaged, sectorStart, damaged.Length - sectorStart);
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.Combine(FirstSegment), damaged);
        await using var wal = WriteAheadLog.Open(dir.Path);
        WalTestData.AssertHolds(wal, 1, boundaries.Count(b => b <= sectorStart) - 1);
        Assert.True(wal.LastIndex < Records);
    }

    [Fact]
    public async Task Random_garbage_after_the_last_record_is_dropped()
    {
        var segment = await WrittenSegmentAsync();
        var garbage = new byte[300];
        new Random(7).NextBytes(garbage);
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.Combine(FirstSegment), [.. segment, .. garbage]);
        await using var wal = WriteAheadLog.Open(dir.Path);
        WalTestData.AssertHolds(wal, 1, Records);
        Assert.Equal(300, wal.Recovery.DroppedBytes);
    }

    [Fact]
    public async Task A_flipped_bit_anywhere_in_the_last_record_drops_only_that_record()
    {
        var segment = await WrittenSegmentAsync();
        var boundaries = WalTestData.FrameBoundaries(segment);
        var lastStart = (int)boundaries[^2];
        for (var offset = lastStart; offset < segment.Length; offset++)
        {
            foreach (var bit in new[] { 0, 5 })
            {
                var damaged = segment.ToArray();
                damaged[offset] ^= (byte)(1 << bit);
                using var dir = new TempDirectory();
                await File.WriteAllBytesAsync(dir.Combine(FirstSegment), damaged);
                await using var wal = WriteAheadLog.Open(dir.Path);
                WalTestData.AssertHolds(wal, 1, Records - 1);
                Assert.Equal(lastStart, wal.Recovery.TruncatedAtOffset);
            }
        }
    }

    [Fact]
    public async Task Bad_last_two_records_followed_only_by_zeros_are_both_dropped()
    {
        var segment = await WrittenSegmentAsync();
        var boundaries = WalTestData.FrameBoundaries(segment);
        var damaged = segment.Concat(new byte[100]).ToArray();
        damaged[boundaries[^3] + 2] ^= 0x10; // CRC of record 11
        damaged[boundaries[^2] + 2] ^= 0x10; // CRC of record 12
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.Combine(FirstSegment), damaged);
        await using var wal = WriteAheadLog.Open(dir.Path);
        WalTestData.AssertHolds(wal, 1, Records - 2);
    }

    [Fact]
    public async Task A_flipped_bit_anywhere_in_a_middle_record_refuses_to_open_and_changes_nothing()
    {
        var segment = await WrittenSegmentAsync();
        var boundaries = WalTestData.FrameBoundaries(segment);
        var middle = 6; // record 7
        for (var offset = (int)boundaries[middle]; offset < boundaries[middle + 1]; offset++)
        {
            var damaged = segment.ToArray();
            damaged[offset] ^= 0x04;
            using var dir = new TempDirectory();
            var path = dir.Combine(FirstSegment);
            await File.WriteAllBytesAsync(path, damaged);
            var error = Assert.Throws<StorageCorruptException>(() => WriteAheadLog.Open(dir.Path));
            Assert.Equal(path, error.FilePath);
            Assert.Equal(boundaries[middle], error.Offset);
            Assert.Contains(path, error.Message);
            Assert.Equal(damaged, await File.ReadAllBytesAsync(path));
        }
    }

    [Fact]
    public async Task A_valid_record_with_the_wrong_index_refuses_to_open()
    {
        var segment = await WrittenSegmentAsync();
        // Record 1's frame appended again: CRC-valid, but index 1 where 13 is due.
        var boundaries = WalTestData.FrameBoundaries(segment);
        var first = segment.AsSpan((int)boundaries[0], (int)(boundaries[1] - boundaries[0])).ToArray();
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.Combine(FirstSegment), [.. segment, .. first]);
        var error = Assert.Throws<StorageCorruptException>(() => WriteAheadLog.Open(dir.Path));
        Assert.Contains("expected 13", error.Message);
    }

    /// <summary>Three or more segments of records 1..30.</summary>
    private static async Task<(TempDirectory Dir, string[] Segments)> SegmentedLogAsync()
    {
        var dir = new TempDirectory();
        await using (var wal = WriteAheadLog.Open(dir.Path, new WriteAheadLogOptions { SegmentSizeLimit = 300 }))
        {
            await WalTestData.AppendRangeAsync(wal, 1, 30);
        }
        var segments = Directory.GetFiles(dir.Path, "*.log").Order().ToArray();
        Assert.True(segments.Length >= 3);
        return (dir, segments);
    }

    [Fact]
    public async Task A_damaged_tail_of_a_segment_that_is_not_the_last_refuses_to_open()
    {
        var (dir, segments) = await SegmentedLogAsync();
        using (dir)
        {
            var bytes = await File.ReadAllBytesAsync(segments[0]);
            bytes[^1] ^= 0x01; // last byte of the last record of the first segment
            await File.WriteAllBytesAsync(segments[0], bytes);
            var error = Assert.Throws<StorageCorruptException>(() => WriteAheadLog.Open(dir.Path));
            Assert.Equal(segments[0], error.FilePath);
            Assert.Contains("not the last", error.Message);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(segments[0]));
        }
    }

    [Fact]
    public async Task A_truncated_segment_that_is_not_the_last_refuses_to_open()
    {
        var (dir, segments) = await SegmentedLogAsync();
        using (dir)
        {
            var bytes = await File.ReadAllBytesAsync(segments[1]);
            await File.WriteAllBytesAsync(segments[1], bytes.AsMemory(0, bytes.Length - 3));
            var error = Assert.Throws<StorageCorruptException>(() => WriteAheadLog.Open(dir.Path));
            Assert.Equal(segments[1], error.FilePath);
        }
    }

    [Fact]
    public async Task A_missing_middle_segment_refuses_to_open()
    {
        var (dir, segments) = await SegmentedLogAsync();
        using (dir)
        {
            File.Delete(segments[1]);
            var error = Assert.Throws<StorageCorruptException>(() => WriteAheadLog.Open(dir.Path));
            Assert.Equal(segments[2], error.FilePath);
            Assert.Contains("missing segment", error.Message);
        }
    }

    [Fact]
    public async Task An_unknown_segment_version_refuses_to_open()
    {
        var (dir, segments) = await SegmentedLogAsync();
        using (dir)
        {
            var bytes = await File.ReadAllBytesAsync(segments[^1]);
            bytes[8] = 2; // version 1 -> 2
            await File.WriteAllBytesAsync(segments[^1], bytes);
            var error = Assert.Throws<StorageCorruptException>(() => WriteAheadLog.Open(dir.Path));
            Assert.Equal(segments[^1], error.FilePath);
            Assert.Equal(8, error.Offset);
            Assert.Contains("unsupported WAL segment format version 2", error.Message);
        }
    }

    [Fact]
    public async Task A_damaged_segment_header_refuses_to_open_even_in_the_last_segment()
    {
        var (dir, segments) = await SegmentedLogAsync();
        using (dir)
        {
            var bytes = await File.ReadAllBytesAsync(segments[^1]);
            bytes[14] ^= 0x01; // first index
            await File.WriteAllBytesAsync(segments[^1], bytes);
            var error = Assert.Throws<StorageCorruptException>(() => WriteAheadLog.Open(dir.Path));
            Assert.Contains("header CRC", error.Message);
        }
    }

    [Fact]
    public async Task A_torn_tail_of_the_last_of_several_segments_is_repaired()
    {
        var (dir, segments) = await SegmentedLogAsync();
        using (dir)
        {
            var bytes = await File.ReadAllBytesAsync(segments[^1]);
            await File.WriteAllBytesAsync(segments[^1], bytes.AsMemory(0, bytes.Length - 1));
            await using var wal = WriteAheadLog.Open(dir.Path, new WriteAheadLogOptions { SegmentSizeLimit = 300 });
            WalTestData.AssertHolds(wal, 1, 29);
            Assert.Equal(segments[^1], wal.Recovery.RepairedFile);
        }
    }
}
