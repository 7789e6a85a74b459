using System.Buffers;
using Doozer.Consensus.Messages;

namespace Doozer.Consensus.Wire;

/// <summary>
/// The binary encoding of consensus messages between peers (version 1, frozen by golden-byte tests).
/// <para>
/// Layout: <c>version:u8 tag:u8 from:varint to:varint fields...</c>. Integers are unsigned LEB128 varints of their
/// two's complement (int: at most 5 bytes, long: at most 10); booleans one byte, 0 or 1; a ballot is
/// <c>round nodeId</c>; a byte array and every array is a varint count followed by its elements; a command is
/// <c>requestId payload</c>; a slot value is its command array. Nothing may follow the last field.
/// </para>
/// <para>
/// A message of another version is refused (<see cref="FormatException"/>): a node never guesses at a format it does
/// not know. Changing the layout means a new version number and new golden bytes, never an edit of version 1. A new
/// message type is a new tag (<see cref="MessageTag"/>): a Prepare with holdings is tag 14, so a Prepare without them
/// keeps its version-1 bytes.
/// </para>
/// </summary>
public static class MessageCodec
{
    /// <summary>The only version this build writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Larger inputs are copied to a pooled buffer on decode only up to this size; anything above is refused.</summary>
    public const int MaxMessageBytes = 256 * 1024 * 1024;

    public static void Encode(Message message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        var w = new WireWriter(output);
        w.WriteByte(Version);
        w.WriteByte((byte)TagOf(message));
        w.WriteInt32(message.From);
        w.WriteInt32(message.To);
        switch (message)
        {
            case Prepare m:
                WriteBallot(ref w, m.Ballot);
                w.WriteInt64(m.FirstSlot);
                if (m.Holding.Length > 0)
                {
                    w.WriteInt32(m.Holding.Length);
                    foreach (var run in m.Holding)
                    {
                        w.WriteInt64(run.FirstSlot);
                        w.WriteInt64(run.LastSlot);
                        WriteBallot(ref w, run.Ballot);
                    }
                }
                break;
            case Promise m:
                WriteBallot(ref w, m.Ballot);
                w.WriteInt64(m.FirstSlot);
                w.WriteInt32(m.Accepted.Length);
                foreach (var entry in m.Accepted)
                {
                    w.WriteInt64(entry.Slot);
                    WriteBallot(ref w, entry.Ballot);
                    WriteValue(ref w, entry.Value);
                }
                w.WriteInt32(m.Decided.Length);
                foreach (var decided in m.Decided)
                {
                    w.WriteInt64(decided.Slot);
                    WriteValue(ref w, decided.Value);
                }
                w.WriteInt64(m.SnapshotSlot);
                break;
            case Rejected m:
                WriteBallot(ref w, m.Ballot);
                WriteBallot(ref w, m.Promised);
                break;
            case Accept m:
                WriteBallot(ref w, m.Ballot);
                w.WriteInt64(m.Slot);
                WriteValue(ref w, m.Value);
                w.WriteInt64(m.Commit);
                break;
            case Accepted m:
                WriteBallot(ref w, m.Ballot);
                w.WriteInt64(m.Slot);
                break;
            case Heartbeat m:
                WriteBallot(ref w, m.Ballot);
                w.WriteInt64(m.Commit);
                w.WriteInt64(m.ReadRound);
                break;
            case HeartbeatAck m:
                WriteBallot(ref w, m.Ballot);
                w.WriteInt64(m.ReadRound);
                w.WriteBool(m.HoldsPromise);
                w.WriteInt64(m.Commit);
                break;
            case FetchDecided m:
                w.WriteInt64(m.FirstSlot);
                w.WriteInt64(m.LastSlot);
                break;
            case DecidedValues m:
                w.WriteInt64(m.FirstSlot);
                w.WriteInt32(m.Values.Length);
                foreach (var value in m.Values)
                    WriteValue(ref w, value);
                break;
            case SnapshotAvailable m:
                w.WriteInt64(m.Slot);
                break;
            case ForwardedProposals m:
                WriteCommands(ref w, m.Commands);
                break;
            case ReadIndexRequest m:
                WriteLongs(ref w, m.ReadIds);
                break;
            case ReadIndexResponse m:
                WriteLongs(ref w, m.ReadIds);
                w.WriteInt64(m.Index);
                break;
        }
        w.Commit();
    }

    /// <summary>Decodes one whole message; anything malformed or of an unknown version is a <see cref="FormatException"/>.</summary>
    public static Message Decode(ReadOnlySpan<byte> input)
    {
        var r = new WireReader(input);
        var version = r.ReadByte();
        if (version != Version)
            throw new FormatException($"Unknown peer message version {version}; this node speaks version {Version}.");
        var tag = (MessageTag)r.ReadByte();
        var from = r.ReadInt32();
        var to = r.ReadInt32();
        Message message = tag switch
        {
            MessageTag.Prepare => new Prepare(from, to, ReadBallot(ref r), r.ReadInt64()),
            MessageTag.PrepareHolding => ReadPrepareHolding(ref r, from, to),
            MessageTag.Promise => ReadPromise(ref r, from, to),
            MessageTag.Rejected => new Rejected(from, to, ReadBallot(ref r), ReadBallot(ref r)),
            MessageTag.Accept => new Accept(from, to, ReadBallot(ref r), r.ReadInt64(), ReadValue(ref r), r.ReadInt64()),
            MessageTag.Accepted => new Accepted(from, to, ReadBallot(ref r), r.ReadInt64()),
            MessageTag.Heartbeat => new Heartbeat(from, to, ReadBallot(ref r), r.ReadInt64(), r.ReadInt64()),
            MessageTag.HeartbeatAck => new HeartbeatAck(from, to, ReadBallot(ref r), r.ReadInt64(), r.ReadBool(), r.ReadInt64()),
            MessageTag.FetchDecided => new FetchDecided(from, to, r.ReadInt64(), r.ReadInt64()),
            MessageTag.DecidedValues => ReadDecidedValues(ref r, from, to),
            MessageTag.SnapshotAvailable => new SnapshotAvailable(from, to, r.ReadInt64()),
            MessageTag.ForwardedProposals => new ForwardedProposals(from, to, ReadCommands(ref r)),
            MessageTag.ReadIndexRequest => new ReadIndexRequest(from, to, ReadLongs(ref r)),
            MessageTag.ReadIndexResponse => new ReadIndexResponse(from, to, ReadLongs(ref r), r.ReadInt64()),
            _ => throw new FormatException($"Unknown peer message type {(byte)tag}."),
        };
        r.ExpectEnd();
        return message;
    }

    /// <summary>Decodes one whole message that may span several buffer segments (as read from a pipe).</summary>
    public static Message Decode(in ReadOnlySequence<byte> input)
    {
        if (input.IsSingleSegment)
            return Decode(input.FirstSpan);
        if (input.Length > MaxMessageBytes)
            throw new FormatException($"A peer message of {input.Length} bytes exceeds the limit of {MaxMessageBytes}.");
        var length = (int)input.Length;
        // Payloads are copied out of the rented buffer by the reader, so it can go back to the pool at once.
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            input.CopyTo(rented);
            return Decode(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static MessageTag TagOf(Message message) => message switch
    {
        Prepare { Holding.Length: > 0 } => MessageTag.PrepareHolding,
        Prepare => MessageTag.Prepare,
        Promise => MessageTag.Promise,
        Rejected => MessageTag.Rejected,
        Accept => MessageTag.Accept,
        Accepted => MessageTag.Accepted,
        Heartbeat => MessageTag.Heartbeat,
        HeartbeatAck => MessageTag.HeartbeatAck,
        FetchDecided => MessageTag.FetchDecided,
        DecidedValues => MessageTag.DecidedValues,
        SnapshotAvailable => MessageTag.SnapshotAvailable,
        ForwardedProposals => MessageTag.ForwardedProposals,
        ReadIndexRequest => MessageTag.ReadIndexRequest,
        ReadIndexResponse => MessageTag.ReadIndexResponse,
        _ => throw new ArgumentException($"No wire encoding for {message.GetType().Name}.", nameof(message)),
    };

    internal static void WriteBallot(ref WireWriter w, Ballot ballot)
    {
        w.WriteInt64(ballot.Round);
        w.WriteInt32(ballot.NodeId);
    }

    internal static void WriteValue(ref WireWriter w, SlotValue value) => WriteCommands(ref w, value.Commands);

    private static void WriteCommands(ref WireWriter w, Command[] commands)
    {
        w.WriteInt32(commands.Length);
        foreach (var command in commands)
        {
            w.WriteInt64(command.RequestId);
            w.WriteBytes(command.Payload.Span);
        }
    }

    private static void WriteLongs(ref WireWriter w, long[] values)
    {
        w.WriteInt32(values.Length);
        foreach (var value in values)
            w.WriteInt64(value);
    }

    internal static Ballot ReadBallot(ref WireReader r) => new(r.ReadInt64(), r.ReadInt32());

    internal static SlotValue ReadValue(ref WireReader r)
    {
        var commands = ReadCommands(ref r);
        // The empty batch is the shared no-op instance: gap-filling slots allocate nothing.
        return commands.Length == 0 ? SlotValue.NoOp : new SlotValue(commands);
    }

    private static Command[] ReadCommands(ref WireReader r)
    {
        // A command is at least two bytes: a request id and an empty payload's length.
        var count = r.ReadCount(2);
        if (count == 0)
            return [];
        var commands = new Command[count];
        for (var i = 0; i < count; i++)
            commands[i] = new Command(r.ReadInt64(), r.ReadBytes());
        return commands;
    }

    private static long[] ReadLongs(ref WireReader r)
    {
        var count = r.ReadCount(1);
        var values = count == 0 ? [] : new long[count];
        for (var i = 0; i < count; i++)
            values[i] = r.ReadInt64();
        return values;
    }

    private static Prepare ReadPrepareHolding(ref WireReader r, int from, int to)
    {
        var ballot = ReadBallot(ref r);
        var firstSlot = r.ReadInt64();
        // A run is at least four one-byte varints. The acceptor leaves out what the runs cover, so they must be what a
        // candidate sends: ascending, disjoint, from firstSlot on.
        var count = r.ReadCount(4);
        if (count == 0)
            throw new FormatException("A Prepare with holdings names at least one run.");
        var runs = new BallotRun[count];
        for (var i = 0; i < count; i++)
        {
            var run = new BallotRun(r.ReadInt64(), r.ReadInt64(), ReadBallot(ref r));
            var overlaps = i == 0 ? run.FirstSlot < firstSlot : run.FirstSlot <= runs[i - 1].LastSlot;
            if (overlaps || run.LastSlot < run.FirstSlot)
                throw new FormatException($"The runs of a Prepare are not ascending and disjoint from slot {firstSlot} (run {i}: {run.FirstSlot}..{run.LastSlot}).");
            runs[i] = run;
        }
        return new Prepare(from, to, ballot, firstSlot) { Holding = runs };
    }

    private static Promise ReadPromise(ref WireReader r, int from, int to)
    {
        var ballot = ReadBallot(ref r);
        var firstSlot = r.ReadInt64();
        // An accepted entry is at least slot, ballot (two varints) and an empty value: four bytes.
        var acceptedCount = r.ReadCount(4);
        var accepted = acceptedCount == 0 ? [] : new AcceptedEntry[acceptedCount];
        for (var i = 0; i < acceptedCount; i++)
            accepted[i] = new AcceptedEntry(r.ReadInt64(), ReadBallot(ref r), ReadValue(ref r));
        var decidedCount = r.ReadCount(2);
        var decided = decidedCount == 0 ? [] : new DecidedSlot[decidedCount];
        for (var i = 0; i < decidedCount; i++)
            decided[i] = new DecidedSlot(r.ReadInt64(), ReadValue(ref r));
        return new Promise(from, to, ballot, firstSlot, accepted, decided, r.ReadInt64());
    }

    private static DecidedValues ReadDecidedValues(ref WireReader r, int from, int to)
    {
        var firstSlot = r.ReadInt64();
        var count = r.ReadCount(1);
        var values = count == 0 ? [] : new SlotValue[count];
        for (var i = 0; i < count; i++)
            values[i] = ReadValue(ref r);
        return new DecidedValues(from, to, firstSlot, values);
    }
}
