namespace Doozer.Storage;

/// <summary>
/// A durable file is damaged somewhere that cannot be a torn, unacknowledged tail (or has a format version this
/// build cannot read). Thrown at open; the node must refuse to start, because repairing it would silently drop data
/// that may have been acknowledged.
/// </summary>
public sealed class StorageCorruptException(string filePath, long offset, string reason)
    : IOException($"{filePath} at offset {offset}: {reason}. Refusing to open: this is not a torn tail that can be " +
                  "repaired safely; restore the node from its peers (new data directory) or repair the file by hand.")
{
    public string FilePath { get; } = filePath;

    public long Offset { get; } = offset;

    public string Reason { get; } = reason;
}
