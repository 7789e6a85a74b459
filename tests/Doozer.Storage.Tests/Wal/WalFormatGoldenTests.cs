using Doozer.Storage.Wal;

namespace Doozer.Storage.Tests.Wal;

/// <summary>The WAL format is frozen: these bytes change only with a new format version.</summary>
public sealed class WalFormatGoldenTests
{
    [Fact]
    public void Segment_header_for_first_index_1_has_frozen_bytes()
    {
        var header = new byte[WalFormat.SegmentHeaderSize];
        WalFormat.WriteSegmentHeader(header, 1);
        Assert.Equal("444f4f5a57414c00010000000100000000000000144e168c", Convert.ToHexStringLower(header));
    }

    [Fact]
    public void Record_frame_has_frozen_bytes()
    {
        var frame = new byte[WalFormat.FrameSize(5)];
        var size = WalFormat.WriteFrame(frame, index: 1, type: 7, "hello"u8);
        Assert.Equal(22, size);
        Assert.Equal("31a3a5f60500000001000000000000000768656c6c6f", Convert.ToHexStringLower(frame));
    }

    [Fact]
    public async Task First_segment_file_on_disk_is_header_then_frames()
    {
        using var dir = new TempDirectory();
        await using (var wal = WriteAheadLog.Open(dir.Path))
        {
            await wal.AppendAsync([new WalRecord(7, "hello"u8.ToArray())]);
        }
        var file = File.ReadAllBytes(dir.Combine("00000000000000000001.log"));
        Assert.Equal("444f4f5a57414c00010000000100000000000000144e168c" + "31a3a5f60500000001000000000000000768656c6c6f",
            Convert.ToHexStringLower(file));
    }

    [Fact]
    public void Segment_file_names_are_twenty_digit_first_indices()
    {
        Assert.Equal("00000000000000000042.log", WalFormat.SegmentFileName(42));
        Assert.True(WalFormat.TryParseSegmentFileName("00000000000000000042.log", out var index));
        Assert.Equal(42, index);
        Assert.False(WalFormat.TryParseSegmentFileName("42.log", out _));
        Assert.False(WalFormat.TryParseSegmentFileName("0000000000000000004x.log", out _));
    }
}
