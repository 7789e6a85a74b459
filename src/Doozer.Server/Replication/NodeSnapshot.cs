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
/// A snapshot being cut is written by <see cref="NodeSnapshotWriter"/> straight from the tree; this record holds one
/// that was read back (at a restart, or downloaded from a peer).
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
        var bytes = new byte[LengthOf(state.Length, Requests.Length, Store.Length)];
        using var output = new MemoryStream(bytes, writable: true);
        Write(output, state, Requests.Span, Store.Length, store => store.Write(Store.Span));
        return bytes;
    }

    internal static long LengthOf(int state, int requests, long store) => 1 + 4 + state + 4 + requests + 4 + store + 4;

    /// <summary>
    /// Writes the layout to <paramref name="output"/> as it goes, the store section by <paramref name="writeStore"/>,
    /// which must write exactly <paramref name="storeLength"/> bytes; the checksum is computed on the way.
    /// </summary>
    internal static void Write(Stream output, ReadOnlySpan<byte> state, ReadOnlySpan<byte> requests, long storeLength, Action<Stream> writeStore)
    {
        if (storeLength > int.MaxValue)
            throw new InvalidOperationException($"A store snapshot of {storeLength} bytes exceeds the 2 GiB a section of version {Version} can hold.");
        var body = new Crc32CStream(output);
        Span<byte> number = stackalloc byte[4];
        number[0] = Version;
        body.Write(number[..1]);
        BinaryPrimitives.WriteInt32LittleEndian(number, state.Length);
        body.Write(number);
        body.Write(state);
        BinaryPrimitives.WriteInt32LittleEndian(number, requests.Length);
        body.Write(number);
        body.Write(requests);
        BinaryPrimitives.WriteInt32LittleEndian(number, (int)storeLength);
        body.Write(number);
        var before = body.Count;
        writeStore(body);
        if (body.Count - before != storeLength)
            throw new InvalidOperationException($"The store section was announced as {storeLength} bytes but {body.Count - before} were written.");
        BinaryPrimitives.WriteUInt32LittleEndian(number, Crc32C.Finish(body.Crc));
        output.Write(number);
    }

    /// <summary>
    /// Reads a snapshot from a stream (a peer's download), each section into one array of its exact size, checking
    /// the checksum on the way: a large snapshot is held once, not in a growing buffer and then a copy of it.
    /// </summary>
    /// <exception cref="FormatException">Not a snapshot of this version, truncated, or damaged.</exception>
    public static async Task<NodeSnapshot> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        var body = new Crc32CStream(input);
        var number = new byte[4];
        try
        {
            await body.ReadExactlyAsync(number.AsMemory(0, 1), cancellationToken).ConfigureAwait(false);
            if (number[0] != Version)
                throw new FormatException("Not a node snapshot of version 1.");
            var sections = new byte[3][];
            for (var i = 0; i < sections.Length; i++)
            {
                await body.ReadExactlyAsync(number, cancellationToken).ConfigureAwait(false);
                var length = BinaryPrimitives.ReadInt32LittleEndian(number);
                if (length < 0)
                    throw new FormatException("The node snapshot is damaged (a negative section length).");
                sections[i] = new byte[length];
                await body.ReadExactlyAsync(sections[i], cancellationToken).ConfigureAwait(false);
            }
            var crc = Crc32C.Finish(body.Crc);
            await input.ReadExactlyAsync(number, cancellationToken).ConfigureAwait(false);
            if (crc != BinaryPrimitives.ReadUInt32LittleEndian(number))
                throw new FormatException("The node snapshot fails its checksum.");
            if (await input.ReadAsync(number.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
                throw new FormatException("The node snapshot has trailing bytes.");
            return new NodeSnapshot(DurableCodec.DecodeState(sections[0]), sections[1], sections[2]);
        }
        catch (EndOfStreamException)
        {
            throw new FormatException("The node snapshot is truncated.");
        }
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
