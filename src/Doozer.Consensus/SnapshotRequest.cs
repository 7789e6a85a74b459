namespace Doozer.Consensus;

/// <summary>
/// This replica is too far behind to catch up from the log: the caller should fetch a snapshot covering at least
/// <see cref="Slot"/> from node <see cref="From"/> and then call <see cref="Replica.InstallSnapshot"/>.
/// </summary>
public readonly record struct SnapshotRequest(int From, long Slot);
