namespace Doozer.Storage;

/// <summary>Another process (or another <see cref="DataDirectory"/> in this one) holds the data directory.</summary>
public sealed class DataDirectoryLockedException(string directory, Exception inner)
    : IOException($"data directory {directory} is locked by another doozerd process (lock file {DataDirectory.LockFileName}); " +
                  "two nodes must never share one data directory", inner)
{
    public string Directory { get; } = directory;
}
