using System.Buffers;

namespace Doozer.Consensus.Wire;

/// <summary>
/// Writes varints and bytes into an <see cref="IBufferWriter{T}"/>, asking it for memory in chunks rather than per
/// field, because GetSpan/Advance per byte is what makes naive encoders slow.
/// </summary>
internal ref struct WireWriter
{
    private const int ChunkSize = 512;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _used;

    public WireWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _span = output.GetSpan(ChunkSize);
        _used = 0;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _span[_used++] = value;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt64(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _span[_used++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _span[_used++] = (byte)value;
    }

    /// <summary>Two's complement, as an unsigned varint: ids and slots are non-negative, so zigzag would buy nothing.</summary>
    public void WriteInt64(long value) => WriteUInt64((ulong)value);

    public void WriteInt32(int value) => WriteUInt64((uint)value);

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteInt32(bytes.Length);
        if (bytes.Length == 0)
            return;
        if (bytes.Length > ChunkSize)
        {
            // A large payload goes straight into a span of its own size: one copy, no chunking.
            Commit();
            _output.Write(bytes);
            _span = _output.GetSpan(ChunkSize);
            return;
        }
        Ensure(bytes.Length);
        bytes.CopyTo(_span[_used..]);
        _used += bytes.Length;
    }

    public void Commit()
    {
        if (_used > 0)
            _output.Advance(_used);
        _used = 0;
        _span = default;
    }

    private void Ensure(int count)
    {
        if (_span.Length - _used >= count)
            return;
        Commit();
        _span = _output.GetSpan(Math.Max(count, ChunkSize));
    }
}
