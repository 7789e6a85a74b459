using System.Buffers.Binary;
using Doozer.Storage.Wal;

namespace Doozer.Storage.Tests.Wal;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task Concurrent_appenders_share_fsyncs_and_each_gets_the_index_of_its_own_record()
    {
        const int appenders = 64;
        const int appendsEach = 20;
        using var dir = new TempDirectory();
        var acknowledged = new long[appenders * appendsEach];
        await using (var wal = WriteAheadLog.Open(dir.Path))
        {
            using var start = new ManualResetEventSlim();
            var tasks = new Task[appenders];
            for (var a = 0; a < appenders; a++)
            {
                var appender = a;
                tasks[a] = Task.Run(async () =>
                {
                    start.Wait();
                    for (var k = 0; k < appendsEach; k++)
                    {
                        var id = appender * appendsEach + k;
                        var payload = new byte[100];
                        BinaryPrimitives.WriteInt32LittleEndian(payload, id);
                        acknowledged[id] = await wal.AppendAsync([new WalRecord(1, payload)]);
                    }
                });
            }
            start.Set();
            await Task.WhenAll(tasks);

            Assert.Equal(appenders * appendsEach, wal.LastIndex);
            Assert.True(wal.FsyncCount < appenders * appendsEach,
                $"{wal.FsyncCount} fsyncs for {appenders * appendsEach} appends: appends were not coalesced");
        }

        // Every acknowledged index is unique, and after a reopen the record at that index is the one acknowledged.
        Assert.Equal(acknowledged.Length, acknowledged.Distinct().Count());
        await using var reopened = WriteAheadLog.Open(dir.Path);
        foreach (var entry in reopened.ReadFrom(1))
        {
            var id = BinaryPrimitives.ReadInt32LittleEndian(entry.Payload.Span);
            Assert.Equal(acknowledged[id], entry.Index);
        }
    }

    [Fact]
    public async Task Appends_queued_during_an_fsync_are_written_with_one_more_fsync()
    {
        using var dir = new TempDirectory();
        await using var wal = WriteAheadLog.Open(dir.Path);
        using var release = new ManualResetEventSlim();
        using var inFsync = new ManualResetEventSlim();
        wal.BeforeFsync = () =>
        {
            inFsync.Set();
            release.Wait();
        };
        var first = wal.AppendAsync([WalTestData.Record(1)]).AsTask();
        Assert.True(inFsync.Wait(TimeSpan.FromSeconds(10)));
        var queued = new List<Task<long>>();
        for (var n = 2; n <= 50; n++)
        {
            queued.Add(wal.AppendAsync([WalTestData.Record(n)]).AsTask());
        }
        wal.BeforeFsync = null;
        release.Set();
        await first;
        await Task.WhenAll(queued);
        Assert.Equal(2, wal.FsyncCount);
        WalTestData.AssertHolds(wal, 1, 50);
    }
}
