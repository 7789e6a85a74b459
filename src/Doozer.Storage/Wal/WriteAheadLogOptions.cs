namespace Doozer.Storage.Wal;

public sealed record WriteAheadLogOptions
{
    /// <summary>
    /// A segment is closed and a new one started once appending would take it past this size. 64 MiB, as etcd:
    /// big enough that rotation (three fsyncs) is rare, small enough that truncation after a snapshot frees space
    /// promptly. A single record larger than the limit gets a segment of its own.
    /// </summary>
    public long SegmentSizeLimit { get; init; } = 64L * 1024 * 1024;
}
