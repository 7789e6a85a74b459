using System.Buffers;
using System.Buffers.Binary;
using Doozer.Consensus.Messages;
using Doozer.Consensus.Wire;

namespace Doozer.Server.Peers;

/// <summary>
/// A frame on a peer stream: a 4-byte big-endian length, then one message in <see cref="MessageCodec"/> encoding.
/// The message carries its own version byte, so frames need none.
/// </summary>
internal static class PeerFrame
{
    public const int HeaderBytes = 4;

    /// <summary>Appends one frame; the length is patched in after encoding, so the message is encoded once, in place.</summary>
    public static void Write(ArrayBufferWriter<byte> output, Message message)
    {
        var start = output.WrittenCount;
        output.GetSpan(HeaderBytes);
        output.Advance(HeaderBytes);
        MessageCodec.Encode(message, output);
        var length = output.WrittenCount - start - HeaderBytes;
        var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(output.WrittenMemory);
        BinaryPrimitives.WriteInt32BigEndian(written.Span.Slice(start, HeaderBytes), length);
    }

    /// <summary>Takes one whole frame off the front of <paramref name="buffer"/> if it is all there.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (buffer.Length < HeaderBytes)
            return false;
        Span<byte> header = stackalloc byte[HeaderBytes];
        buffer.Slice(0, HeaderBytes).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length <= 0 || length > maxFrameBytes)
            throw new FormatException($"Peer frame length {length} is outside 1..{maxFrameBytes}.");
        if (buffer.Length < HeaderBytes + (long)length)
            return false;
        message = buffer.Slice(HeaderBytes, length);
        buffer = buffer.Slice(HeaderBytes + (long)length);
        return true;
    }
}
