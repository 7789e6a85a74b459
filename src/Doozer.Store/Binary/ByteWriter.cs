using System.Buffers;
using System.Buffers.Binary;

namespace Doozer.Store.Binary;

/// <summary>Writes the store's frozen binary formats: little-endian integers, LEB128 lengths, length-prefixed bytes.</summary>
internal readonly struct ByteWriter(IBufferWriter<byte> output)
{
    public void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(sizeof(long)), value);
        output.Advance(sizeof(long));
    }

    public void WriteLength(int length)
    {
        var value = (uint)length;
        while (value >= 0x80)
        {
            WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        WriteByte((byte)value);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteLength(bytes.Length);
        output.Write(bytes);
    }

    /// <summary>A valid tree path: ASCII, one byte per char.</summary>
    public void WritePath(string path)
    {
        WriteLength(path.Length);
        var span = output.GetSpan(path.Length);
        for (var i = 0; i < path.Length; i++)
            span[i] = (byte)path[i];
        output.Advance(path.Length);
    }
}
