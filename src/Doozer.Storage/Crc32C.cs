using System.Buffers.Binary;
using System.Numerics;

namespace Doozer.Storage;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of every WAL frame and snapshot.
/// </summary>
/// <remarks>
/// System.IO.Hashing 10.0.x offers only the IEEE CRC-32 (<c>Crc32</c>), not CRC-32C, so this uses
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>: BCL, hardware-accelerated (SSE4.2 <c>crc32q</c> on x64, the
/// ARMv8 CRC instructions on arm64) with a software fallback. CRC-32C is the checksum of etcd's WAL, ext4 and iSCSI,
/// and detects all burst errors up to 32 bits. Standard framing: initial value and final xor 0xFFFFFFFF
/// (check value of "123456789" is 0xE3069283).
/// </remarks>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Start, data));

    public const uint Start = 0xFFFFFFFFu;

    public static uint Finish(uint state) => state ^ 0xFFFFFFFFu;

    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        // Little-endian reads keep the result identical on any byte order: the CRC is over the byte stream.
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }
        return state;
    }
}
