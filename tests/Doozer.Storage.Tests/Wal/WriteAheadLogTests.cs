using Doozer.Storage.Wal;

namespace Doozer.Storage.Tests.Wal;

public sealed class WriteAheadLogTests
{
    [Fact]
    public async Task A_new_log_is_empty_and_starts_at_index_1()
    {
        using var dir = new TempDirectory();
        await using var wal = WriteAheadLog.Open(dir.Path);
        Assert.Equal(1, wal.FirstIndex);
        Assert.Equal(0, wal.LastIndex);
        Assert.Empty(wal.ReadFrom(1));
        Assert.True(File.Exists(dir.Combine("00000000000000000001.log")));
    }

    [Fact]
    public async Task Appended_batches_read_back_in_order_after_reopen()
    {
        using var dir = new TempDirectory();
        await using (var wal = WriteAheadLog.Open(dir.Path))
        {
            Assert.Equal(1, await WalTestData.AppendRangeAsync(wal, 1, 1));
            Assert.Equal(10, await WalTestData.AppendRangeAsync(wal, 2, 10, perBatch: 3));
            WalTestData.AssertHolds(wal, 1, 10);
        }
        await using (var wal = WriteAheadLog.Open(dir.Path))
        {
            Assert.False(wal.Recovery.Repaired);
            WalTestData.AssertHolds(wal, 1, 10);
            Assert.Equal(25, await WalTestData.AppendRangeAsync(wal, 11, 25, perBatch: 5));
        }
        await using (var reopened = WriteAheadLog.Open(dir.Path))
        {
            WalTestData.AssertHolds(reopened, 1, 25);
            Assert.Equal([17L, 18L], [.. reopened.ReadFrom(17).Take(2).Select(e => e.Index)]);
        }
    }

    [Fact]
    public async Task An_empty_batch_returns_the_last_index_without_writing()
    {
        using var dir = new TempDirectory();
        await using var wal = WriteAheadLog.Open(dir.Path);
        await WalTestData.AppendRangeAsync(wal, 1, 3);
        var fsyncs = wal.FsyncCount;
        Assert.Equal(3, await wal.AppendAsync([]));
        Assert.Equal(fsyncs, wal.FsyncCount);
    }

    [Fact]
    public async Task Record_type_0_is_refused_because_it_is_what_zeroed_disk_looks_like()
    {
        using var dir = new TempDirectory();
        await using var wal = WriteAheadLog.Open(dir.Path);
        Assert.Throws<ArgumentException>(() => wal.AppendAsync([new WalRecord(0, new byte[1])]));
        Assert.Equal(0, wal.LastIndex);
    }

    [Fact]
    public async Task Segments_rotate_at_the_size_limit_and_are_named_by_their_first_index()
    {
        using var dir = new TempDirectory();
        var options = new WriteAheadLogOptions { SegmentSizeLimit = 300 };
        await using (var wal = WriteAheadLog.Open(dir.Path, options))
        {
            await WalTestData.AppendRangeAsync(wal, 1, 40, perBatch: 4);
            Assert.True(wal.SegmentCount > 3, $"{wal.SegmentCount} segments");
            WalTestData.AssertHolds(wal, 1, 40);
        }
        var files = Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order().ToList();
        Assert.Equal("00000000000000000001.log", files[0]);
        long expectedFirst = 1;
        foreach (var file in files)
        {
            Assert.True(WalFormat.TryParseSegmentFileName(file!, out var first));
            Assert.Equal(expectedFirst, first);
            var bytes = File.ReadAllBytes(dir.Combine(file!));
            Assert.Equal(first, WalFormat.ReadSegmentHeader(bytes, file!));
            var frames = WalTestData.FrameBoundaries(bytes).Count - 1;
            Assert.True(bytes.Length <= options.SegmentSizeLimit || frames == 1, $"{file} is {bytes.Length} bytes");
            expectedFirst += frames;
        }
        Assert.Equal(41, expectedFirst);
        await using var reopened = WriteAheadLog.Open(dir.Path, options);
        WalTestData.AssertHolds(reopened, 1, 40);
        await WalTestData.AppendRangeAsync(reopened, 41, 45);
        WalTestData.AssertHolds(reopened, 1, 45);
    }

    [Fact]
    public async Task A_record_larger_than_the_segment_limit_gets_a_segment_of_its_own()
    {
        using var dir = new TempDirectory();
        var options = new WriteAheadLogOptions { SegmentSizeLimit = 100 };
        await using var wal = WriteAheadLog.Open(dir.Path, options);
        await wal.AppendAsync([new WalRecord(1, new byte[10])]);
        await wal.AppendAsync([new WalRecord(2, new byte[500]), new WalRecord(3, new byte[10])]);
        Assert.Equal(3, wal.SegmentCount);
        Assert.Equal([1, 2, 3], wal.ReadFrom(1).Select(e => (int)e.Type));
        Assert.Equal(500, wal.ReadFrom(2).First().Payload.Length);
    }

    [Fact]
    public async Task TruncateBefore_deletes_only_segments_entirely_below_the_index()
    {
        using var dir = new TempDirectory();
        var options = new WriteAheadLogOptions { SegmentSizeLimit = 300 };
        await using (var wal = WriteAheadLog.Open(dir.Path, options))
        {
            await WalTestData.AppendRangeAsync(wal, 1, 60);
            var before = wal.SegmentCount;
            wal.TruncateBefore(30);
            Assert.True(wal.SegmentCount < before);
            Assert.True(wal.FirstIndex <= 30, $"first index {wal.FirstIndex} must still include 30");
            Assert.True(wal.FirstIndex > 1);
            Assert.Equal(30, wal.ReadFrom(30).First().Index);
            Assert.Throws<ArgumentOutOfRangeException>(() => wal.ReadFrom(1));

            wal.TruncateBefore(long.MaxValue);
            Assert.Equal(1, wal.SegmentCount);
            Assert.Equal(60, wal.LastIndex);
        }
        await using var reopened = WriteAheadLog.Open(dir.Path, options);
        Assert.Equal(60, reopened.LastIndex);
        Assert.Equal(61, await WalTestData.AppendRangeAsync(reopened, 61, 61));
        var first = reopened.FirstIndex;
        Assert.Equal(first, reopened.ReadFrom(first).First().Index);
    }

    [Fact]
    public async Task An_append_is_not_acknowledged_before_its_fsync_completes()
    {
        using var dir = new TempDirectory();
        await using var wal = WriteAheadLog.Open(dir.Path);
        using var inFsync = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        wal.BeforeFsync = () =>
        {
            inFsync.Set();
            release.Wait();
        };
        var append = wal.AppendAsync([WalTestData.Record(1)]).AsTask();
        Assert.True(inFsync.Wait(TimeSpan.FromSeconds(10)));
        await Task.Delay(100);
        Assert.False(append.IsCompleted);
        Assert.Equal(0, wal.LastIndex);
        release.Set();
        Assert.Equal(1, await append);
        Assert.Equal(1, wal.LastIndex);
    }

    [Fact]
    public async Task After_a_failed_fsync_the_append_faults_and_the_log_refuses_further_appends()
    {
        using var dir = new TempDirectory();
        await using var wal = WriteAheadLog.Open(dir.Path);
        await WalTestData.AppendRangeAsync(wal, 1, 2);
        wal.BeforeFsync = () => throw new IOException("EIO (simulated)");
        await Assert.ThrowsAsync<IOException>(async () => await wal.AppendAsync([WalTestData.Record(3)]));
        wal.BeforeFsync = null;
        await Assert.ThrowsAsync<IOException>(async () => await wal.AppendAsync([WalTestData.Record(3)]));
        Assert.Equal(2, wal.LastIndex);
    }

    [Fact]
    public async Task Dispose_completes_appends_already_queued()
    {
        using var dir = new TempDirectory();
        var wal = WriteAheadLog.Open(dir.Path);
        var appends = new List<Task<long>>();
        for (var n = 1; n <= 20; n++)
        {
            appends.Add(wal.AppendAsync([WalTestData.Record(n)]).AsTask());
        }
        await wal.DisposeAsync();
        foreach (var append in appends)
        {
            Assert.True(append.IsCompletedSuccessfully);
        }
        await using var reopened = WriteAheadLog.Open(dir.Path);
        Assert.Equal(20, reopened.LastIndex);
    }

    [Fact]
    public async Task An_unfinished_segment_creation_is_removed_at_open()
    {
        using var dir = new TempDirectory();
        await using (var wal = WriteAheadLog.Open(dir.Path))
        {
            await WalTestData.AppendRangeAsync(wal, 1, 5);
        }
        // A crash between creating the next segment's tmp file and renaming it.
        await File.WriteAllBytesAsync(dir.Combine("00000000000000000006.log.tmp"), new byte[7]);
        await using var reopened = WriteAheadLog.Open(dir.Path);
        WalTestData.AssertHolds(reopened, 1, 5);
        Assert.False(File.Exists(dir.Combine("00000000000000000006.log.tmp")));
    }
}
