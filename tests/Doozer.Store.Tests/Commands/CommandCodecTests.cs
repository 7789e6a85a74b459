using System.Buffers;
using Doozer.Store.Commands;

namespace Doozer.Store.Tests.Commands;

public class CommandCodecTests
{
    public static TheoryData<string, string> Golden() => new()
    {
        // version 1 | tag | origin | fields (see CommandCodec): frozen, a change needs a new version.
        { "set", "01 01 00 04 2F 61 2F 62 02 68 69 00 00" },
        { "set-revs", "01 01 00 02 2F 78 00 03 03 05 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00" },
        { "set-missing-cluster", "01 01 01 02 2F 78 03 FF 00 01 02 00" },
        { "delete-exists", "01 02 00 02 2F 61 01 00" },
        { "delete-tree", "01 03 00 01 2F" },
        { "nop", "01 04 00" },
        { "nop-cluster", "01 04 01" },
    };

    private static Command Sample(string name) => name switch
    {
        "set" => new SetCommand("/a/b", "hi"u8.ToArray(), Precondition.None),
        "set-revs" => new SetCommand("/x", ReadOnlyMemory<byte>.Empty, new Precondition(PreconditionKind.RevIn, [5, 256, 0])),
        "set-missing-cluster" => new SetCommand("/x", new byte[] { 0xFF, 0x00, 0x01 }, Precondition.Missing) { Origin = CommandOrigin.Cluster },
        "delete-exists" => new DeleteCommand("/a", Precondition.Exists),
        "delete-tree" => new DeleteTreeCommand("/"),
        "nop" => new NopCommand(),
        "nop-cluster" => new NopCommand { Origin = CommandOrigin.Cluster },
        _ => throw new ArgumentException(name),
    };

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Theory]
    [MemberData(nameof(Golden))]
    public void Encoding_is_frozen(string name, string hex)
    {
        Assert.Equal(hex, Convert.ToHexString(CommandCodec.Encode(Sample(name))).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b));
        AssertSameCommand(Sample(name), CommandCodec.Decode(Hex(hex)));
    }

    [Fact]
    public void Encode_to_a_buffer_writer_appends_the_same_bytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(new byte[] { 9, 9 });
        CommandCodec.Encode(Sample("set"), buffer);
        Assert.Equal([9, 9, .. CommandCodec.Encode(Sample("set"))], buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Random_commands_round_trip()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var i = 0; i < 5000; i++)
        {
            var command = RandomCommand(random);
            var decoded = CommandCodec.Decode(CommandCodec.Encode(command));
            try
            {
                AssertSameCommand(command, decoded);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}, command {i}: {e.Message}");
            }
        }
    }

    [Fact]
    public void Applying_decoded_commands_gives_the_same_store_byte_for_byte()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var direct = new Doozer.Store.Tree.TreeStore(10);
        var viaLog = new Doozer.Store.Tree.TreeStore(10);
        for (var i = 0; i < 3000; i++)
        {
            var command = RandomCommand(random);
            var expected = direct.Apply(command);
            var actual = viaLog.Apply(CommandCodec.Decode(CommandCodec.Encode(command)));
            Assert.True(expected.Status == actual.Status && expected.Rev == actual.Rev, $"seed {seed}, command {i}");
        }
        Assert.True(direct.Rev > 0, $"seed {seed}: nothing applied");
        Assert.Equal(direct.ToSnapshot(), viaLog.ToSnapshot());
    }

    [Fact]
    public void Unknown_version_tag_origin_or_precondition_is_a_FormatException()
    {
        Assert.Throws<FormatException>(() => CommandCodec.Decode(Hex("02 04 00")));
        Assert.Throws<FormatException>(() => CommandCodec.Decode(Hex("00 04 00")));
        Assert.Throws<FormatException>(() => CommandCodec.Decode(Hex("01 05 00")));
        Assert.Throws<FormatException>(() => CommandCodec.Decode(Hex("01 04 02")));
        Assert.Throws<FormatException>(() => CommandCodec.Decode(Hex("01 02 00 02 2F 61 04 00")));
        Assert.Throws<FormatException>(() => CommandCodec.Decode(Hex("01 04 00 00")));
        Assert.Throws<FormatException>(() => CommandCodec.Decode([]));
        // A path that is not a valid tree path, and a length in a non-shortest form.
        Assert.Throws<FormatException>(() => CommandCodec.Decode(Hex("01 03 00 02 2F 2F")));
        Assert.Throws<FormatException>(() => CommandCodec.Decode(Hex("01 03 00 81 00 2F")));
        Assert.Throws<FormatException>(() => CommandCodec.Decode(Hex("01 03 00 FF FF FF FF FF 2F")));
    }

    [Fact]
    public void Encoding_an_invalid_path_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new DeleteTreeCommand("a")));
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new SetCommand("/a/", default, default)));
    }

    [Fact]
    public void Garbage_and_truncated_bytes_only_ever_throw_FormatException()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var i = 0; i < 20000; i++)
        {
            byte[] bytes;
            switch (random.Next(3))
            {
                case 0:
                    bytes = new byte[random.Next(0, 40)];
                    random.NextBytes(bytes);
                    break;
                case 1:
                    var full = CommandCodec.Encode(RandomCommand(random));
                    bytes = full[..random.Next(0, full.Length)];
                    break;
                default:
                    bytes = CommandCodec.Encode(RandomCommand(random));
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                    break;
            }
            try
            {
                CommandCodec.Decode(bytes);
            }
            catch (FormatException)
            {
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: {Convert.ToHexString(bytes)} threw {e.GetType().Name}: {e.Message}");
            }
        }
        // Truncating a valid encoding anywhere must be detected.
        var set = CommandCodec.Encode(Sample("set-revs"));
        for (var length = 0; length < set.Length; length++)
            Assert.Throws<FormatException>(() => CommandCodec.Decode(set.AsSpan(0, length)));
    }

    internal static Command RandomCommand(Random random)
    {
        var path = "/" + string.Join('/', Enumerable.Range(0, random.Next(0, 4)).Select(_ => "n" + random.Next(200)));
        if (path == "/")
            path = random.Next(2) == 0 ? "/" : "/x";
        var kind = (PreconditionKind)random.Next(4);
        long[]? revs = kind == PreconditionKind.RevIn
            ? Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)).ToArray()
            : null;
        var precondition = new Precondition(kind, revs);
        var value = new byte[random.Next(3) == 0 ? random.Next(200, 1000) : random.Next(0, 10)];
        random.NextBytes(value);
        Command command = random.Next(4) switch
        {
            0 => new SetCommand(path, value, precondition),
            1 => new DeleteCommand(path, precondition),
            2 => new DeleteTreeCommand(path),
            _ => new NopCommand(),
        };
        return command with { Origin = (CommandOrigin)random.Next(2) };
    }

    /// <summary>Records compare arrays and memory by reference, so compare field by field.</summary>
    internal static void AssertSameCommand(Command expected, Command actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Origin, actual.Origin);
        switch (expected)
        {
            case SetCommand set:
                var actualSet = (SetCommand)actual;
                Assert.Equal(set.Path, actualSet.Path);
                Assert.Equal(set.Value.ToArray(), actualSet.Value.ToArray());
                AssertSamePrecondition(set.Precondition, actualSet.Precondition);
                break;
            case DeleteCommand delete:
                var actualDelete = (DeleteCommand)actual;
                Assert.Equal(delete.Path, actualDelete.Path);
                AssertSamePrecondition(delete.Precondition, actualDelete.Precondition);
                break;
            case DeleteTreeCommand deleteTree:
                Assert.Equal(deleteTree.Path, ((DeleteTreeCommand)actual).Path);
                break;
        }
    }

    private static void AssertSamePrecondition(Precondition expected, Precondition actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Revs ?? [], actual.Revs ?? []);
    }
}
