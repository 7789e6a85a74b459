using System.Buffers;

namespace Doozer.Store.Commands;

/// <summary>
/// The versioned binary encoding of commands, as they travel through the replicated log.
/// The format is frozen by golden-byte tests; an unknown version refuses to decode.
/// </summary>
public static class CommandCodec
{
    public static void Encode(Command command, IBufferWriter<byte> output) => throw new NotImplementedException();

    public static byte[] Encode(Command command) => throw new NotImplementedException();

    /// <exception cref="FormatException">The bytes are not a command of a known version.</exception>
    public static Command Decode(ReadOnlySpan<byte> bytes) => throw new NotImplementedException();
}
