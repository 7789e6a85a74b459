using Doozer.Storage.Wal;

namespace Doozer.Storage.Tests;

public sealed class DataDirectoryTests
{
    [Fact]
    public async Task Opening_creates_the_layout_and_holds_the_lock()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("data");
        await using (var data = DataDirectory.Open(path))
        {
            Assert.True(Directory.Exists(Path.Combine(path, "wal")));
            Assert.True(Directory.Exists(Path.Combine(path, "snap")));
            Assert.True(File.Exists(Path.Combine(path, DataDirectory.LockFileName)));
            var error = Assert.Throws<DataDirectoryLockedException>(() => DataDirectory.Open(path));
            Assert.Contains(path, error.Message);
        }
        // Released on dispose.
        await using var again = DataDirectory.Open(path);
    }

    [Fact]
    public async Task The_node_id_is_created_once_and_read_on_later_starts()
    {
        using var dir = new TempDirectory();
        var calls = 0;
        string Create()
        {
            calls++;
            return "a1b2c3";
        }
        await using (var data = DataDirectory.Open(dir.Path))
        {
            Assert.Null(data.ReadNodeId());
            Assert.Equal("a1b2c3", data.GetOrCreateNodeId(Create));
            Assert.Equal("a1b2c3", data.GetOrCreateNodeId(Create));
        }
        await using (var data = DataDirectory.Open(dir.Path))
        {
            Assert.Equal("a1b2c3", data.GetOrCreateNodeId(() => "other"));
        }
        Assert.Equal(1, calls);
        Assert.Equal("doozer-node-id 1\na1b2c3\n", await File.ReadAllTextAsync(dir.Combine("node-id")));
        Assert.False(File.Exists(dir.Combine("node-id.tmp")));
    }

    [Theory]
    [InlineData("doozer-node-id 2\nabc\n", "unsupported node id file version '2'")]
    [InlineData("doozer-node-id 1\nab", "truncated")]
    [InlineData("something else\n", "not a Doozer node id file")]
    public async Task A_damaged_or_unknown_node_id_file_refuses_to_load(string contents, string reason)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("node-id"), contents);
        await using var data = DataDirectory.Open(dir.Path);
        var error = Assert.Throws<StorageCorruptException>(() => data.GetOrCreateNodeId(() => "fresh"));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task An_invalid_node_id_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        await using var data = DataDirectory.Open(dir.Path);
        Assert.Throws<ArgumentException>(() => data.GetOrCreateNodeId(() => "a/b"));
        Assert.Null(data.ReadNodeId());
    }

    [Fact]
    public async Task Snapshot_then_compact_keeps_every_record_above_the_snapshot_across_a_restart()
    {
        using var dir = new TempDirectory();
        var options = new WriteAheadLogOptions { SegmentSizeLimit = 300 };
        await using (var data = DataDirectory.Open(dir.Path, options))
        {
            await Wal.WalTestData.AppendRangeAsync(data.Log, 1, 80);
            await data.SaveSnapshotAndCompactAsync(60, "state at 60"u8.ToArray());
            Assert.True(data.Log.FirstIndex > 1);
            Assert.True(data.Log.FirstIndex <= 61);
        }
        await using (var data = DataDirectory.Open(dir.Path, options))
        {
            var snapshot = data.Snapshots.LoadLatestSnapshot()!;
            Assert.Equal(60, snapshot.Index);
            // Replay from the snapshot: every record above it is still there, in order.
            var replayed = data.Log.ReadFrom(snapshot.Index + 1).Select(e => e.Index).ToList();
            Assert.Equal(Enumerable.Range(61, 20).Select(i => (long)i), replayed);
        }
    }

    [Fact]
    public async Task A_log_truncated_beyond_the_newest_snapshot_refuses_to_open()
    {
        using var dir = new TempDirectory();
        var options = new WriteAheadLogOptions { SegmentSizeLimit = 300 };
        await using (var data = DataDirectory.Open(dir.Path, options))
        {
            await Wal.WalTestData.AppendRangeAsync(data.Log, 1, 80);
            await data.Snapshots.SaveSnapshotAsync(10, "state at 10"u8.ToArray());
            // A bug or an operator deleting segments past the snapshot.
            data.Log.TruncateBefore(60);
        }
        var error = Assert.Throws<StorageCorruptException>(() => DataDirectory.Open(dir.Path, options));
        Assert.Contains("newest snapshot covers only up to 10", error.Message);
        // Refused again, not "locked": the failed open released its lock.
        Assert.Throws<StorageCorruptException>(() => DataDirectory.Open(dir.Path, options));
    }
}
