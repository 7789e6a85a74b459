namespace Doozer.Storage.Wal;

internal enum FrameStatus
{
    /// <summary>A complete frame whose CRC matches.</summary>
    Valid,

    /// <summary>The file ends before the frame does: a write that did not finish.</summary>
    Torn,

    /// <summary>Complete but wrong: CRC mismatch, reserved type 0, or a length beyond the format's limit.</summary>
    Damaged,
}
