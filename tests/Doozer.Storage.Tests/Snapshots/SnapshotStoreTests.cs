using System.Text;
using Doozer.Storage.Snapshots;

namespace Doozer.Storage.Tests.Snapshots;

public sealed class SnapshotStoreTests
{
    [Fact]
    public void Snapshot_file_has_frozen_bytes()
    {
        var header = new byte[SnapshotFormat.HeaderSize];
        SnapshotFormat.WriteHeader(header, 42, "abc"u8);
        Assert.Equal("444f4f5a534e4150010000002a000000000000000300000000000000b72db714", Convert.ToHexStringLower(header));
        Assert.Equal("00000000000000000042.snap", SnapshotFormat.FileName(42));
    }

    [Fact]
    public async Task Saved_snapshot_is_on_disk_in_the_frozen_format_and_loads_back()
    {
        using var dir = new TempDirectory();
        var store = SnapshotStore.Open(dir.Path);
        Assert.Null(store.LoadLatestSnapshot());
        await store.SaveSnapshotAsync(42, "abc"u8.ToArray());
        Assert.Equal("444f4f5a534e4150010000002a000000000000000300000000000000b72db714616263",
            Convert.ToHexStringLower(await File.ReadAllBytesAsync(dir.Combine("00000000000000000042.snap"))));
        var loaded = SnapshotStore.Open(dir.Path).LoadLatestSnapshot();
        Assert.NotNull(loaded);
        Assert.Equal(42, loaded.Index);
        Assert.Equal("abc", Encoding.ASCII.GetString(loaded.Data.Span));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task A_streamed_snapshot_is_the_same_file_as_one_saved_from_bytes()
    {
        using var dir = new TempDirectory();
        var data = new byte[300_000];
        new Random(7).NextBytes(data);
        await SnapshotStore.Open(dir.Path).SaveSnapshotAsync(5, data);
        var fromBytes = await File.ReadAllBytesAsync(dir.Combine("00000000000000000005.snap"));

        var store = SnapshotStore.Open(dir.Path);
        await store.SaveSnapshotAsync(6, data.Length, output =>
        {
            for (var at = 0; at < data.Length; at += 4096)
                output.Write(data, at, Math.Min(4096, data.Length - at));
        });
        var streamed = await File.ReadAllBytesAsync(dir.Combine("00000000000000000006.snap"));
        // Same data and checksum; only the index in the header differs.
        Assert.Equal(fromBytes.AsSpan(SnapshotFormat.HeaderSize).ToArray(), streamed.AsSpan(SnapshotFormat.HeaderSize).ToArray());
        var header = new byte[SnapshotFormat.HeaderSize];
        SnapshotFormat.WriteHeader(header, 6, data);
        Assert.Equal(header, streamed.AsSpan(0, SnapshotFormat.HeaderSize).ToArray());
        Assert.Equal(data, store.LoadLatestSnapshot()!.Data.ToArray());
    }

    [Fact]
    public async Task A_streamed_snapshot_that_is_not_the_announced_length_or_fails_leaves_the_previous_one()
    {
        using var dir = new TempDirectory();
        var store = SnapshotStore.Open(dir.Path);
        await store.SaveSnapshotAsync(10, "old"u8.ToArray());
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await store.SaveSnapshotAsync(20, 4, output => output.Write("new"u8)));
        await Assert.ThrowsAsync<IOException>(async () =>
            await store.SaveSnapshotAsync(30, 3, _ => throw new IOException("the tree walk failed")));
        Assert.Equal([10L], store.ListIndices());
        Assert.Equal("old"u8.ToArray(), store.LoadLatestSnapshot()!.Data.ToArray());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task The_newest_snapshot_wins_and_only_the_newest_two_are_kept()
    {
        using var dir = new TempDirectory();
        var store = SnapshotStore.Open(dir.Path);
        await store.SaveSnapshotAsync(10, new byte[] { 1 });
        await store.SaveSnapshotAsync(20, new byte[] { 2 });
        await store.SaveSnapshotAsync(30, new byte[] { 3 });
        Assert.Equal([20L, 30L], store.ListIndices());
        var latest = store.LoadLatestSnapshot()!;
        Assert.Equal(30, latest.Index);
        Assert.Equal(3, latest.Data.Span[0]);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.SaveSnapshotAsync(25, new byte[] { 9 }));
    }

    [Fact]
    public async Task An_empty_snapshot_round_trips()
    {
        using var dir = new TempDirectory();
        var store = SnapshotStore.Open(dir.Path);
        await store.SaveSnapshotAsync(0, ReadOnlyMemory<byte>.Empty);
        Assert.Equal(0, store.LoadLatestSnapshot()!.Data.Length);
    }

    [Fact]
    public async Task A_crash_between_tmp_write_and_rename_leaves_the_previous_snapshot_and_the_tmp_is_removed()
    {
        using var dir = new TempDirectory();
        var store = SnapshotStore.Open(dir.Path);
        await store.SaveSnapshotAsync(10, "old"u8.ToArray());
        // A complete, valid newer snapshot that never got renamed: it was never the snapshot of record.
        var header = new byte[SnapshotFormat.HeaderSize];
        SnapshotFormat.WriteHeader(header, 20, "new"u8);
        var tmp = dir.Combine("00000000000000000020.snap.tmp");
        await File.WriteAllBytesAsync(tmp, [.. header, .. "new"u8.ToArray()]);

        var reopened = SnapshotStore.Open(dir.Path);
        Assert.False(File.Exists(tmp));
        var latest = reopened.LoadLatestSnapshot()!;
        Assert.Equal(10, latest.Index);
        Assert.Equal("old", Encoding.ASCII.GetString(latest.Data.Span));
    }

    [Fact]
    public async Task A_corrupt_newest_snapshot_refuses_to_load_even_with_an_older_valid_one()
    {
        using var dir = new TempDirectory();
        var store = SnapshotStore.Open(dir.Path);
        await store.SaveSnapshotAsync(10, "old"u8.ToArray());
        await store.SaveSnapshotAsync(20, "new"u8.ToArray());
        var newest = dir.Combine("00000000000000000020.snap");
        var bytes = await File.ReadAllBytesAsync(newest);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(newest, bytes);
        var error = Assert.Throws<StorageCorruptException>(() => SnapshotStore.Open(dir.Path).LoadLatestSnapshot());
        Assert.Equal(newest, error.FilePath);
        Assert.Contains("CRC", error.Message);
    }

    [Theory]
    [InlineData(8, "unsupported snapshot format version 2")]
    [InlineData(0, "bad magic")]
    [InlineData(20, "data bytes")]
    public async Task A_damaged_snapshot_header_refuses_to_load(int offset, string reason)
    {
        using var dir = new TempDirectory();
        var store = SnapshotStore.Open(dir.Path);
        await store.SaveSnapshotAsync(5, "abc"u8.ToArray());
        var path = dir.Combine("00000000000000000005.snap");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[offset] ^= 0x03;
        await File.WriteAllBytesAsync(path, bytes);
        var error = Assert.Throws<StorageCorruptException>(() => store.LoadLatestSnapshot());
        Assert.Contains(reason, error.Message);
    }
}
