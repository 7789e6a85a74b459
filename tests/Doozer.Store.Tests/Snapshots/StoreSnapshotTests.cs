using System.Buffers.Binary;
using System.Text;
using Doozer.Store.Binary;
using Doozer.Store.Commands;
using Doozer.Store.Tests.Commands;
using Doozer.Store.Tree;

namespace Doozer.Store.Tests.Snapshots;

public class StoreSnapshotTests
{
    // "DZSN" | version 1 | rev 3 | count 2 | "/a/b" rev 1 "hi" | "/c" rev 3 "" | CRC-32: frozen.
    private const string GoldenHex =
        "445A534E" + "01" + "0300000000000000" + "0200000000000000" +
        "042F612F62" + "0100000000000000" + "026869" +
        "022F63" + "0300000000000000" + "00";

    private static TreeStore GoldenStore()
    {
        var store = new TreeStore(10);
        store.Apply(new SetCommand("/a/b", "hi"u8.ToArray(), default));
        store.Apply(new SetCommand("/c", "x"u8.ToArray(), default));
        store.Apply(new SetCommand("/c", ReadOnlyMemory<byte>.Empty, default));
        return store;
    }

    private static byte[] WithCrc(byte[] body)
    {
        var bytes = new byte[body.Length + 4];
        body.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(body.Length), Crc32.Compute(body));
        return bytes;
    }

    [Fact]
    public void Crc32_is_the_standard_one() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void Snapshot_format_is_frozen()
    {
        var expected = WithCrc(Convert.FromHexString(GoldenHex));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(GoldenStore().ToSnapshot()));
        var restored = TreeStore.FromSnapshot(expected, 10);
        Assert.Equal(3, restored.Rev);
        Assert.Equal("hi"u8.ToArray(), restored.Current.Get("/a/b").Value.ToArray());
        Assert.Equal(1, restored.Current.Get("/a/b").Rev);
    }

    [Fact]
    public void Empty_store_round_trips()
    {
        var restored = TreeStore.FromSnapshot(new TreeStore(5).ToSnapshot(), 5);
        Assert.Equal(0, restored.Rev);
        Assert.Equal(0, restored.Current.Get("/").EntryCount);
    }

    [Fact]
    public void Restored_store_keeps_revs_and_goes_on_from_the_snapshot_revision()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var store = new TreeStore(1000);
        for (var i = 0; i < 2000; i++)
        {
            var command = CommandCodecTests.RandomCommand(random) with { Origin = CommandOrigin.Cluster };
            if (command is not DeleteTreeCommand { Path: "/" })
                store.Apply(command);
        }
        var restored = TreeStore.FromSnapshot(store.ToSnapshot(), 7);
        Assert.Equal(store.Rev, restored.Rev);
        Assert.Equal(store.Rev, restored.OldestRev);
        Assert.Equal(7, restored.HistoryLimit);
        var glob = Doozer.Store.Paths.Glob.TryParse("/**", out var all) ? all : null!;
        var expected = store.Current.Walk(glob, null, 100000).Files;
        var actual = restored.Current.Walk(glob, null, 100000).Files;
        Assert.True(expected.Count > 0, $"seed {seed}: nothing stored");
        Assert.Equal(expected.Select(f => (f.Path, f.Rev, f.Value.ToArray())), actual.Select(f => (f.Path, f.Rev, f.Value.ToArray())));
        Assert.Equal(store.Current.Get("/").EntryCount, restored.Current.Get("/").EntryCount);

        var next = restored.Apply(new SetCommand("/new", "v"u8.ToArray(), default));
        Assert.Equal(store.Rev + 1, next.Rev);
        Assert.NotNull(restored.At(store.Rev));
        Assert.Null(restored.At(store.Rev - 1));
    }

    [Fact]
    public void A_snapshot_written_to_a_stream_is_the_same_bytes_and_its_length_is_known_beforehand()
    {
        var store = new TreeStore(10);
        // Paths longer than the writer's first path buffer, and a value larger than one of its chunks.
        var deep = "/" + string.Join("/", Enumerable.Range(0, 40).Select(i => $"dir{i:D3}-" + new string('x', 10)));
        store.Apply(new SetCommand(deep + "/leaf", "v"u8.ToArray(), default));
        store.Apply(new SetCommand("/big", new byte[200_000], default));
        for (var i = 0; i < 300; i++)
            store.Apply(new SetCommand($"/d{i % 7}/f{i}", Encoding.ASCII.GetBytes($"value {i}"), default));
        store.Apply(new SetCommand("/empty", ReadOnlyMemory<byte>.Empty, default));

        var bytes = store.ToSnapshot();
        Assert.Equal(bytes.Length, store.Current.SnapshotLength());
        using var output = new MemoryStream();
        store.Current.WriteSnapshot(output);
        Assert.Equal(bytes, output.ToArray());
        var restored = TreeStore.FromSnapshot(bytes, 10);
        Assert.Equal("v"u8.ToArray(), restored.Current.Get(deep + "/leaf").Value.ToArray());
        Assert.Equal(200_000, restored.Current.Get("/big").Value.Length);
        Assert.Equal("value 299"u8.ToArray(), restored.Current.Get("/d5/f299").Value.ToArray());
    }

    [Fact]
    public void Unknown_version_or_corrupt_bytes_are_a_FormatException()
    {
        var good = GoldenStore().ToSnapshot();
        var version2 = (byte[])good.Clone();
        version2[4] = 2;
        Assert.Contains("version", Assert.Throws<FormatException>(() => TreeStore.FromSnapshot(WithCrc(version2[..^4]), 10)).Message);
        var flipped = (byte[])good.Clone();
        flipped[20] ^= 1;
        Assert.Throws<FormatException>(() => TreeStore.FromSnapshot(flipped, 10));
        Assert.Throws<FormatException>(() => TreeStore.FromSnapshot([], 10));
        Assert.Throws<FormatException>(() => TreeStore.FromSnapshot("DZSN"u8, 10));
        for (var length = 0; length < good.Length; length++)
            Assert.Throws<FormatException>(() => TreeStore.FromSnapshot(good.AsSpan(0, length), 10));
    }

    [Theory]
    // Files out of path order.
    [InlineData("0500000000000000" + "0200000000000000" + "022F62" + "0100000000000000" + "00" + "022F61" + "0100000000000000" + "00")]
    // A path that is both a file and a directory.
    [InlineData("0500000000000000" + "0200000000000000" + "022F61" + "0100000000000000" + "00" + "042F612F62" + "0100000000000000" + "00")]
    // A file rev above the snapshot rev, and a file rev of 0.
    [InlineData("0500000000000000" + "0100000000000000" + "022F61" + "0600000000000000" + "00")]
    [InlineData("0500000000000000" + "0100000000000000" + "022F61" + "0000000000000000" + "00")]
    // The root as a file; an invalid path; a negative rev; more files announced than present; trailing bytes.
    [InlineData("0500000000000000" + "0100000000000000" + "012F" + "0100000000000000" + "00")]
    [InlineData("0500000000000000" + "0100000000000000" + "022F2F" + "0100000000000000" + "00")]
    [InlineData("FFFFFFFFFFFFFFFF" + "0000000000000000")]
    [InlineData("0500000000000000" + "0300000000000000" + "022F61" + "0100000000000000" + "00")]
    [InlineData("0500000000000000" + "0000000000000000" + "00")]
    public void Structurally_invalid_snapshots_with_a_good_checksum_are_a_FormatException(string afterVersionHex)
    {
        var body = Convert.FromHexString("445A534E01" + afterVersionHex);
        Assert.Throws<FormatException>(() => TreeStore.FromSnapshot(WithCrc(body), 10));
    }

    [Fact]
    public void Fuzzed_snapshots_only_ever_throw_FormatException()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var good = GoldenStore().ToSnapshot();
        for (var i = 0; i < 20000; i++)
        {
            byte[] bytes;
            switch (random.Next(4))
            {
                case 0:
                    bytes = new byte[random.Next(0, 60)];
                    random.NextBytes(bytes);
                    break;
                case 1:
                    bytes = good[..random.Next(0, good.Length)];
                    break;
                default:
                    // Corrupt the body, then fix the checksum so the parser itself is exercised.
                    var body = good[..^4];
                    for (var k = random.Next(1, 4); k > 0; k--)
                        body[random.Next(5, body.Length)] = (byte)random.Next(256);
                    if (random.Next(2) == 0)
                        body = body[..random.Next(5, body.Length)];
                    bytes = WithCrc(body);
                    break;
            }
            try
            {
                var store = TreeStore.FromSnapshot(bytes, 10);
                Assert.True(store.Rev >= 0);
            }
            catch (FormatException)
            {
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: {Convert.ToHexString(bytes)} threw {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
