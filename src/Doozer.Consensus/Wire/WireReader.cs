namespace Doozer.Consensus.Wire;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote. Every malformation (truncation, overlong varint, impossible count,
/// bad boolean) is a <see cref="FormatException"/>, so a peer sending garbage can never crash the node with anything
/// else. Command payloads are copied into one arena per message: one allocation, whatever the batch size.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _input;
    private int _position;
    private byte[]? _arena;
    private int _arenaUsed;

    public WireReader(ReadOnlySpan<byte> input)
    {
        _input = input;
        _position = 0;
    }

    public readonly int Remaining => _input.Length - _position;

    public byte ReadByte()
    {
        if (_position >= _input.Length)
            throw Truncated();
        return _input[_position++];
    }

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new FormatException($"Invalid boolean byte {b}."),
    };

    public ulong ReadUInt64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            if (shift == 63 && b > 1)
                throw new FormatException("Varint overflows 64 bits.");
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw new FormatException("Varint longer than 10 bytes.");
    }

    public long ReadInt64() => (long)ReadUInt64();

    public int ReadInt32()
    {
        var value = ReadUInt64();
        if (value > uint.MaxValue)
            throw new FormatException("Varint overflows 32 bits.");
        return (int)(uint)value;
    }

    /// <summary>
    /// An element count. Each element takes at least <paramref name="minElementBytes"/> bytes, so a count the rest of
    /// the input cannot hold is refused before anything is allocated for it.
    /// </summary>
    public int ReadCount(int minElementBytes)
    {
        var count = ReadInt32();
        if (count < 0 || (long)count * minElementBytes > Remaining)
            throw new FormatException($"Count {count} exceeds the remaining input.");
        return count;
    }

    public ReadOnlyMemory<byte> ReadBytes()
    {
        var length = ReadCount(1);
        if (length == 0)
            return ReadOnlyMemory<byte>.Empty;
        // The rest of the input bounds every payload still to come, so one arena of that size holds them all.
        _arena ??= new byte[Remaining];
        var memory = new Memory<byte>(_arena, _arenaUsed, length);
        _input.Slice(_position, length).CopyTo(memory.Span);
        _position += length;
        _arenaUsed += length;
        return memory;
    }

    public readonly void ExpectEnd()
    {
        if (_position != _input.Length)
            throw new FormatException($"{_input.Length - _position} trailing bytes after the message.");
    }

    private static FormatException Truncated() => new("The message is truncated.");
}
