namespace Doozer.Consensus;

/// <summary>
/// What a replica restarts from: everything it handed out to persist through <see cref="Ready"/> and its last
/// snapshot. Anything else (leadership, decided knowledge above the snapshot, proposals) is volatile and relearned.
/// </summary>
public sealed record DurableState(
    Ballot Promised,
    IReadOnlyCollection<AcceptedEntry> Accepted,
    long SnapshotSlot,
    IReadOnlyList<ConfigurationChange> Configurations);
