namespace Doozer.Server.Replication;

/// <summary>Timing and sizing of the node driver; the defaults suit a cluster on one LAN (ARCHITECTURE.md 3).</summary>
public sealed class ClusterLogOptions
{
    /// <summary>One tick of the consensus core's logical clock.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A follower that hears no leader for [E, 2E) ticks starts an election: 300-600 ms by default, so writes flow again within a second of a leader's death.</summary>
    public int ElectionTicks { get; init; } = 6;

    /// <summary>The leader's heartbeat (decided prefix, read rounds) every this many ticks.</summary>
    public int HeartbeatTicks { get; init; } = 2;

    /// <summary>The α window: the configuration after slot s governs slot s + α; it also bounds the pipeline.</summary>
    public int Alpha { get; init; } = 32;

    /// <summary>A write (or linearizable read) that has not completed by then answers 503 no-quorum.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A write that could not be handed to any leader for this long answers 503 at once: it certainly did not commit.</summary>
    public TimeSpan NoLeaderTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A proposal or read not answered for this many ticks is sent again (same request id: never applied twice).</summary>
    public int RetryTicks { get; init; } = 16;

    /// <summary>Snapshot and truncate the log after this many bytes of commands were applied since the last snapshot.</summary>
    public long SnapshotBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>... or after this many slots.</summary>
    public long SnapshotSlots { get; init; } = 100_000;
}
