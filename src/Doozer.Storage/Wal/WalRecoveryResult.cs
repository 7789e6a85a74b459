namespace Doozer.Storage.Wal;

/// <summary>
/// What opening the log had to repair: a torn tail at the end of the last segment (bytes of writes that never
/// completed their fsync, hence never acknowledged) or nothing.
/// </summary>
public sealed record WalRecoveryResult(string? RepairedFile, long TruncatedAtOffset, long DroppedBytes)
{
    public static WalRecoveryResult Clean { get; } = new(null, 0, 0);

    public bool Repaired => RepairedFile is not null;
}
