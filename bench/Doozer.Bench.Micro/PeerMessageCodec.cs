using System.Buffers;
using BenchmarkDotNet.Attributes;
using Doozer.Consensus;
using Doozer.Consensus.Messages;
using Doozer.Consensus.Wire;
using Doozer.Store.Commands;
using ConsensusCommand = Doozer.Consensus.Command;

namespace Doozer.Bench.Micro;

/// <summary>
/// The peer channel's wire codec on its hottest messages: Accept (the leader's proposal of a slot, carrying the
/// batched client commands) and Accepted (the acknowledgement).
/// </summary>
public class PeerMessageCodec
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private Accept _accept = null!;
    private Accepted _accepted = null!;
    private byte[] _encodedAccept = null!;
    private byte[] _encodedAccepted = null!;

    /// <summary>Client writes batched in the slot: 1, or 64 under load.</summary>
    [Params(1, 64)]
    public int CommandsPerSlot { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var value = "0123456789abcdef"u8.ToArray();
        var commands = Enumerable.Range(0, CommandsPerSlot)
            .Select(i => new ConsensusCommand(1_000_000 + i, CommandCodec.Encode(new SetCommand($"/bench/many/k{i}", value, Precondition.None))))
            .ToArray();
        _accept = new Accept(1, 2, new Ballot(7, 1), 123_456, new SlotValue(commands), 123_455);
        _accepted = new Accepted(2, 1, new Ballot(7, 1), 123_456);
        _encodedAccept = Encode(_accept);
        _encodedAccepted = Encode(_accepted);
    }

    [Benchmark]
    public int EncodeAccept()
    {
        _buffer.ResetWrittenCount();
        MessageCodec.Encode(_accept, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public Message DecodeAccept() => MessageCodec.Decode(_encodedAccept);

    [Benchmark]
    public int EncodeAccepted()
    {
        _buffer.ResetWrittenCount();
        MessageCodec.Encode(_accepted, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public Message DecodeAccepted() => MessageCodec.Decode(_encodedAccepted);

    private static byte[] Encode(Message message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessageCodec.Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
