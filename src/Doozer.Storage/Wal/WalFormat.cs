using System.Buffers.Binary;

namespace Doozer.Storage.Wal;

/// <summary>
/// The on-disk format of WAL segments, version 1. Frozen by golden-byte tests: change it only by adding a version.
/// </summary>
/// <remarks>
/// Segment file <c>wal/&lt;first index, 20 digits&gt;.log</c>, all integers little-endian:
/// <code>
/// header (24 bytes): magic "DOOZWAL\0" | u32 version = 1 | u64 first index | u32 CRC-32C of the preceding 20 bytes
/// frame  (17 + n):   u32 CRC-32C of the rest of the frame | u32 n = payload length | u64 index | u8 type | payload
/// </code>
/// Each frame carries its own index so that continuity is checked, not assumed, and so that a valid frame after a
/// damaged one can be recognised (which is what tells mid-log corruption apart from a torn tail). The CRC covers
/// length, index, type and payload; a zeroed region never parses because type 0 is reserved.
/// </remarks>
internal static class WalFormat
{
    public const uint Version = 1;

    public const int SegmentHeaderSize = 24;

    public const int FrameHeaderSize = 17;

    /// <summary>256 MiB: far above any slot value, low enough that a garbage length is recognised as garbage.</summary>
    public const int MaxPayloadLength = 256 * 1024 * 1024;

    public const string SegmentExtension = ".log";

    public static ReadOnlySpan<byte> Magic => "DOOZWAL\0"u8;

    public static string SegmentFileName(long firstIndex) => firstIndex.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + SegmentExtension;

    public static bool TryParseSegmentFileName(string fileName, out long firstIndex)
    {
        firstIndex = 0;
        return fileName.Length == 20 + SegmentExtension.Length
            && fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out firstIndex);
    }

    public static void WriteSegmentHeader(Span<byte> destination, long firstIndex)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(destination[12..], firstIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], Crc32C.Compute(destination[..20]));
    }

    /// <summary>Checks a segment header; any problem refuses the open, since a header is never a torn tail.</summary>
    public static long ReadSegmentHeader(ReadOnlySpan<byte> file, string path)
    {
        if (file.Length < SegmentHeaderSize)
        {
            throw new StorageCorruptException(path, 0, $"segment is {file.Length} bytes, shorter than its {SegmentHeaderSize}-byte header");
        }
        if (!file[..8].SequenceEqual(Magic))
        {
            throw new StorageCorruptException(path, 0, "not a Doozer WAL segment (bad magic)");
        }
        var version = BinaryPrimitives.ReadUInt32LittleEndian(file[8..]);
        if (version != Version)
        {
            throw new StorageCorruptException(path, 8, $"unsupported WAL segment format version {version} (this build reads version {Version})");
        }
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(file[20..]);
        if (crc != Crc32C.Compute(file[..20]))
        {
            throw new StorageCorruptException(path, 20, "segment header CRC mismatch");
        }
        return BinaryPrimitives.ReadInt64LittleEndian(file[12..]);
    }

    public static int FrameSize(int payloadLength) => FrameHeaderSize + payloadLength;

    /// <summary>Writes one frame at the start of <paramref name="destination"/>; returns its size.</summary>
    public static int WriteFrame(Span<byte> destination, long index, byte type, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], index);
        destination[16] = type;
        payload.CopyTo(destination[FrameHeaderSize..]);
        var size = FrameHeaderSize + payload.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Crc32C.Compute(destination[4..size]));
        return size;
    }

    /// <summary>Parses the frame at the start of <paramref name="data"/> (which runs to the end of the file).</summary>
    public static FrameStatus ReadFrame(ReadOnlySpan<byte> data, out long index, out byte type, out int payloadLength)
    {
        index = 0;
        type = 0;
        payloadLength = 0;
        if (data.Length < FrameHeaderSize)
        {
            return FrameStatus.Torn;
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (length > MaxPayloadLength)
        {
            return FrameStatus.Damaged;
        }
        if (length > (uint)(data.Length - FrameHeaderSize))
        {
            return FrameStatus.Torn;
        }
        var size = FrameHeaderSize + (int)length;
        if (data[16] == 0 || BinaryPrimitives.ReadUInt32LittleEndian(data) != Crc32C.Compute(data[4..size]))
        {
            return FrameStatus.Damaged;
        }
        index = BinaryPrimitives.ReadInt64LittleEndian(data[8..]);
        type = data[16];
        payloadLength = (int)length;
        return FrameStatus.Valid;
    }

    /// <summary>
    /// Whether any valid frame starts anywhere in <paramref name="data"/>. Used on a damaged tail: if one does, the
    /// damage is followed by real records and is corruption in the middle of the log, not a torn write.
    /// </summary>
    public static int FindValidFrame(ReadOnlySpan<byte> data)
    {
        for (var offset = 0; offset + FrameHeaderSize <= data.Length; offset++)
        {
            var rest = data[offset..];
            // Cheap rejections first so a zeroed or random tail costs no CRC per byte.
            if (rest[16] == 0 || BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]) > (uint)(rest.Length - FrameHeaderSize))
            {
                continue;
            }
            if (ReadFrame(rest, out _, out _, out _) == FrameStatus.Valid)
            {
                return offset;
            }
        }
        return -1;
    }
}
