using System.Buffers.Binary;

namespace Doozer.Storage.Snapshots;

/// <summary>
/// The on-disk format of a snapshot file, version 1, frozen by golden-byte tests. File <c>snap/&lt;index, 20
/// digits&gt;.snap</c>, integers little-endian:
/// <code>
/// header (32 bytes): magic "DOOZSNAP" | u32 version = 1 | u64 index | u64 data length | u32 CRC-32C
/// data
/// </code>
/// The CRC covers version, index, length (bytes 8..28) and the data, so a damaged header or body is caught alike.
/// </summary>
internal static class SnapshotFormat
{
    public const uint Version = 1;

    public const int HeaderSize = 32;

    public const string Extension = ".snap";

    public static ReadOnlySpan<byte> Magic => "DOOZSNAP"u8;

    public static string FileName(long index) => index.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + Extension;

    public static bool TryParseFileName(string fileName, out long index)
    {
        index = 0;
        return fileName.Length == 20 + Extension.Length
            && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out index);
    }

    public static void WriteHeader(Span<byte> header, long index, ReadOnlySpan<byte> data)
    {
        var crc = WriteHeaderFields(header, index, data.Length);
        WriteHeaderCrc(header, Crc32C.Append(crc, data));
    }

    /// <summary>
    /// Writes everything of the header but its CRC, which needs the data: returns the running CRC-32C state over the
    /// header's part, for the data to be appended to and the result given to <see cref="WriteHeaderCrc"/>.
    /// </summary>
    public static uint WriteHeaderFields(Span<byte> header, long index, long length)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], index);
        BinaryPrimitives.WriteInt64LittleEndian(header[20..], length);
        return Crc32C.Append(Crc32C.Start, header[8..28]);
    }

    public static void WriteHeaderCrc(Span<byte> header, uint crcState) =>
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], Crc32C.Finish(crcState));

    /// <summary>Verifies a whole snapshot file; returns the data it holds.</summary>
    public static ReadOnlyMemory<byte> Read(byte[] file, long expectedIndex, string path)
    {
        if (file.Length < HeaderSize)
        {
            throw new StorageCorruptException(path, 0, $"snapshot is {file.Length} bytes, shorter than its {HeaderSize}-byte header");
        }
        if (!file.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new StorageCorruptException(path, 0, "not a Doozer snapshot (bad magic)");
        }
        var version = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8));
        if (version != Version)
        {
            throw new StorageCorruptException(path, 8, $"unsupported snapshot format version {version} (this build reads version {Version})");
        }
        var index = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(12));
        var length = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(20));
        if (length != file.Length - HeaderSize)
        {
            throw new StorageCorruptException(path, 20, $"snapshot header says {length} data bytes but the file holds {file.Length - HeaderSize}");
        }
        var crc = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, file.AsSpan(8, 20)), file.AsSpan(HeaderSize)));
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(28)))
        {
            throw new StorageCorruptException(path, 28, "snapshot CRC mismatch");
        }
        if (index != expectedIndex)
        {
            throw new StorageCorruptException(path, 12, $"snapshot header says index {index} but the file name says {expectedIndex}");
        }
        return file.AsMemory(HeaderSize);
    }
}
