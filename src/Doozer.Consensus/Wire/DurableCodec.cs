using System.Buffers;

namespace Doozer.Consensus.Wire;

/// <summary>
/// The binary encoding of what an acceptor persists (version 1): a promised ballot, an accepted entry, a
/// configuration history, and a whole <see cref="DurableState"/>. Same primitives as <see cref="MessageCodec"/>
/// (varints, ballots as round and node id, slot values as command arrays), each record starting with its version.
/// </summary>
public static class DurableCodec
{
    public const byte Version = 1;

    public static byte[] EncodeBallot(Ballot ballot) => Encode(ballot, static (ref WireWriter w, Ballot b) => MessageCodec.WriteBallot(ref w, b));

    public static Ballot DecodeBallot(ReadOnlySpan<byte> input)
    {
        var r = Start(input);
        var ballot = MessageCodec.ReadBallot(ref r);
        r.ExpectEnd();
        return ballot;
    }

    public static byte[] EncodeAccepted(AcceptedEntry entry) => Encode(entry, static (ref WireWriter w, AcceptedEntry e) => WriteAccepted(ref w, e));

    public static AcceptedEntry DecodeAccepted(ReadOnlySpan<byte> input)
    {
        var r = Start(input);
        var entry = ReadAccepted(ref r);
        r.ExpectEnd();
        return entry;
    }

    public static byte[] EncodeConfigurations(IReadOnlyList<ConfigurationChange> history) =>
        Encode(history, static (ref WireWriter w, IReadOnlyList<ConfigurationChange> h) => WriteConfigurations(ref w, h));

    public static IReadOnlyList<ConfigurationChange> DecodeConfigurations(ReadOnlySpan<byte> input)
    {
        var r = Start(input);
        var history = ReadConfigurations(ref r);
        r.ExpectEnd();
        return history;
    }

    public static byte[] EncodeState(DurableState state) => Encode(state, static (ref WireWriter w, DurableState s) =>
    {
        MessageCodec.WriteBallot(ref w, s.Promised);
        w.WriteInt32(s.Accepted.Count);
        foreach (var entry in s.Accepted)
            WriteAccepted(ref w, entry);
        w.WriteInt64(s.SnapshotSlot);
        WriteConfigurations(ref w, s.Configurations);
    });

    public static DurableState DecodeState(ReadOnlySpan<byte> input)
    {
        var r = Start(input);
        var promised = MessageCodec.ReadBallot(ref r);
        var count = r.ReadCount(4);
        var accepted = new AcceptedEntry[count];
        for (var i = 0; i < count; i++)
            accepted[i] = ReadAccepted(ref r);
        var snapshotSlot = r.ReadInt64();
        var configurations = ReadConfigurations(ref r);
        r.ExpectEnd();
        return new DurableState(promised, accepted, snapshotSlot, configurations);
    }

    private delegate void Writer<T>(ref WireWriter w, T value);

    private static byte[] Encode<T>(T value, Writer<T> write)
    {
        var output = new ArrayBufferWriter<byte>();
        var w = new WireWriter(output);
        w.WriteByte(Version);
        write(ref w, value);
        w.Commit();
        return output.WrittenSpan.ToArray();
    }

    private static WireReader Start(ReadOnlySpan<byte> input)
    {
        var r = new WireReader(input);
        var version = r.ReadByte();
        if (version != Version)
            throw new FormatException($"Unknown durable record version {version}; this node reads version {Version}.");
        return r;
    }

    private static void WriteAccepted(ref WireWriter w, AcceptedEntry entry)
    {
        w.WriteInt64(entry.Slot);
        MessageCodec.WriteBallot(ref w, entry.Ballot);
        MessageCodec.WriteValue(ref w, entry.Value);
    }

    private static AcceptedEntry ReadAccepted(ref WireReader r) =>
        new(r.ReadInt64(), MessageCodec.ReadBallot(ref r), MessageCodec.ReadValue(ref r));

    private static void WriteConfigurations(ref WireWriter w, IReadOnlyList<ConfigurationChange> history)
    {
        w.WriteInt32(history.Count);
        foreach (var change in history)
        {
            w.WriteInt64(change.AppliedSlot);
            WriteInts(ref w, change.Configuration.Voters);
            WriteInts(ref w, change.Configuration.Learners);
        }
    }

    private static ConfigurationChange[] ReadConfigurations(ref WireReader r)
    {
        var count = r.ReadCount(3);
        var history = new ConfigurationChange[count];
        for (var i = 0; i < count; i++)
        {
            var slot = r.ReadInt64();
            var voters = ReadInts(ref r);
            var learners = ReadInts(ref r);
            if (voters.Length == 0)
                throw new FormatException("A configuration without voters.");
            history[i] = new ConfigurationChange(slot, new Configuration(voters, learners));
        }
        return history;
    }

    private static void WriteInts(ref WireWriter w, int[] values)
    {
        w.WriteInt32(values.Length);
        foreach (var value in values)
            w.WriteInt32(value);
    }

    private static int[] ReadInts(ref WireReader r)
    {
        var count = r.ReadCount(1);
        var values = new int[count];
        for (var i = 0; i < count; i++)
            values[i] = r.ReadInt32();
        return values;
    }
}
