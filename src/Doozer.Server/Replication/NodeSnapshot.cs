using System.Buffers.Binary;
using Doozer.Consensus;
using Doozer.Consensus.Wire;
using Doozer.Storage;

namespace Doozer.Server.Replication;

/// <summary>
/// A node's state at one applied slot: the acceptor's durable state (promise, acceptances above the slot, the
/// configuration history), the applied-request table and the tree. The same bytes are the local snapshot file and,
/// with the acceptor's own votes left out (<see cref="ForPeer"/>), what a far-behind peer installs.
/// Layout (version 1): <c>version:u8</c>, three sections each <c>length:i32le bytes</c> (durable state in
/// <see cref="DurableCodec"/>, request table, store snapshot), then a CRC-32C of everything before it.
/// </summary>
public sealed record NodeSnapshot(DurableState State, ReadOnlyMemory<byte> Requests, ReadOnlyMemory<byte> Store)
{
    public const byte Version = 1;

    public long Slot => State.SnapshotSlot;

    /// <summary>What a peer may install: its own promise and votes are its business, not ours.</summary>
    public NodeSnapshot ForPeer() => this with { State = State with { Promised = Ballot.Zero, Accepted = [] } };

    public byte[] ToBytes()
    {
        var state = DurableCodec.EncodeState(State);
        var bytes = new byte[1 + 4 + state.Length + 4 + Requests.Length + 4 + Store.Length + 4];
        bytes[0] = Version;
        var at = 1;
        foreach (var section in new[] { state, Requests, Store })
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), section.Length);
            section.Span.CopyTo(bytes.AsSpan(at + 4));
            at += 4 + section.Length;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), Crc32C.Compute(bytes.AsSpan(0, at)));
        return bytes;
    }

    /// <exception cref="FormatException">Not a snapshot of this version, truncated, or damaged.</exception>
    public static NodeSnapshot FromBytes(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        if (span.Length < 1 + 3 * 4 + 4 || span[0] != Version)
            throw new FormatException("Not a node snapshot of version 1.");
        var body = span.Length - 4;
        if (Crc32C.Compute(span[..body]) != BinaryPrimitives.ReadUInt32LittleEndian(span[body..]))
            throw new FormatException("The node snapshot fails its checksum.");
        var at = 1;
        var sections = new ReadOnlyMemory<byte>[3];
        for (var i = 0; i < 3; i++)
        {
            if (at + 4 > body)
                throw new FormatException("The node snapshot is truncated.");
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            if (length < 0 || at + 4 + length > body)
                throw new FormatException("The node snapshot is truncated.");
            sections[i] = bytes.Slice(at + 4, length);
            at += 4 + length;
        }
        if (at != body)
            throw new FormatException("The node snapshot has trailing bytes.");
        return new NodeSnapshot(DurableCodec.DecodeState(sections[0].Span), sections[1], sections[2]);
    }
}
