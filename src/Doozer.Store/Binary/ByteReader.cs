using System.Buffers.Binary;
using Doozer.Store.Paths;

namespace Doozer.Store.Binary;

/// <summary>
/// Reads the store's frozen binary formats. Every malformed input ends in <see cref="FormatException"/>: reads past
/// the end, over-long or oversized lengths, invalid paths.
/// </summary>
internal ref struct ByteReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public readonly int Remaining => _bytes.Length - _position;

    public byte ReadByte()
    {
        if (_position >= _bytes.Length)
            throw Truncated();
        return _bytes[_position++];
    }

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long)));

    /// <summary>An unsigned LEB128 length, at most int.MaxValue, in its shortest form.</summary>
    public int ReadLength()
    {
        ulong value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                if (b == 0 && shift > 0)
                    throw new FormatException("Length not in its shortest form.");
                if (value > int.MaxValue)
                    throw new FormatException("Length too large.");
                return (int)value;
            }
        }
        throw new FormatException("Length too long.");
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadLength();
        return Take(length);
    }

    /// <summary>A length-prefixed valid tree path (paths are ASCII).</summary>
    public string ReadPath()
    {
        var bytes = ReadBytes();
        foreach (var b in bytes)
        {
            if (b > 0x7F)
                throw new FormatException("A path is not ASCII.");
        }
        var path = System.Text.Encoding.ASCII.GetString(bytes);
        if (!TreePath.IsValid(path))
            throw new FormatException("Not a valid tree path.");
        return path;
    }

    public readonly void ExpectEnd()
    {
        if (_position != _bytes.Length)
            throw new FormatException("Unexpected bytes after the end.");
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > Remaining)
            throw Truncated();
        var span = _bytes.Slice(_position, length);
        _position += length;
        return span;
    }

    private static FormatException Truncated() => new("Unexpected end of data.");
}
