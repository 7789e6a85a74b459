namespace Doozer.Storage.Wal;

/// <summary>
/// A segment file. Its last index is not stored: it is the next segment's first index minus one, or the log's last
/// index for the active (last) segment.
/// </summary>
internal sealed record WalSegment(long FirstIndex, string Path);
