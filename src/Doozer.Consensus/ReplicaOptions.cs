namespace Doozer.Consensus;

public sealed class ReplicaOptions
{
    public required int NodeId { get; init; }

    /// <summary>The configuration before any change is applied (slot 0).</summary>
    public required Configuration InitialConfiguration { get; init; }

    /// <summary>
    /// The configuration after applying slot s governs slot s + Alpha; it also bounds the pipeline (a leader never
    /// proposes above applied + Alpha, because it cannot know that slot's voters yet).
    /// </summary>
    public int Alpha { get; init; } = 32;

    /// <summary>The leader sends a heartbeat (decided prefix, read round) every this many ticks.</summary>
    public int HeartbeatTicks { get; init; } = 2;

    /// <summary>
    /// Base election timeout in ticks; the real timeout is drawn from [E, 2E) and widened after failed elections
    /// (back-off against duelling proposers). Must be several heartbeats so one lost heartbeat does not depose a leader.
    /// </summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>Group commit: at most this many commands are batched into one slot.</summary>
    public int MaxCommandsPerSlot { get; init; } = 4096;

    /// <summary>
    /// Group commit by size: a batch stops growing once it holds this many payload bytes (a single larger command
    /// still gets its own slot), so one slot stays a reasonable message and log record.
    /// </summary>
    public int MaxBytesPerSlot { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Client commands open a new slot only while fewer than this many slots are in flight (proposed, not yet
    /// decided), and beyond the first only for a backlog that fills a whole slot (<see cref="MaxCommandsPerSlot"/> or
    /// <see cref="MaxBytesPerSlot"/>). Commands arriving meanwhile wait and go out together in the next slot: under
    /// load, each slot and each fsync carries many commands instead of every cycle's few. Recovery and
    /// window-filling no-ops ignore it.
    /// </summary>
    public int MaxSlotsInFlight { get; init; } = 4;

    /// <summary>At most this many decided values are sent in answer to one fetch.</summary>
    public int MaxFetchSlots { get; init; } = 64;

    /// <summary>
    /// ... and no more than about this many payload bytes (a single larger value still goes alone): heartbeats share
    /// the stream, and 64 slots of 1 MiB values took so long to send and apply on a loaded machine that a catching-up
    /// follower heard no heartbeat for an election timeout and stood.
    /// </summary>
    public long MaxFetchBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Test-only planted bug (see <see cref="Consensus.PlantedBug"/>); None in production.</summary>
    internal PlantedBug PlantedBug { get; init; }
}
