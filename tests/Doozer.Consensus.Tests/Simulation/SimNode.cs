namespace Doozer.Consensus.Tests.Simulation;

/// <summary>
/// One simulated node: the real <see cref="Replica"/>, its simulated disk (what survives a crash) and its
/// application (a tiny state machine: the applied log, request-id deduplication and the cluster configuration).
/// </summary>
internal sealed class SimNode(int id)
{
    public int Id { get; } = id;

    public Replica? Replica { get; set; }

    public int Incarnation { get; set; }

    public long PausedUntil { get; set; }

    public bool ReadyScheduled { get; set; }

    public bool CrashAfterNextCycle { get; set; }

    /// <summary>When positive, the node is cut off this many units after its next cycle that proposes several slots.</summary>
    public int IsolateAfterNextCycle { get; set; }

    // --- Disk: only what Ready asked to persist, and snapshots. ---
    public Ballot DurablePromised { get; set; }

    public Dictionary<long, AcceptedEntry> DurableAccepted { get; } = [];

    public long SnapshotSlot { get; set; }

    public List<SlotValue> SnapshotLog { get; set; } = [];

    // --- Application (volatile; rebuilt from the snapshot on restart). ---
    public List<SlotValue> AppliedLog { get; set; } = [];

    public HashSet<long> AppliedRequests { get; } = [];

    public Configuration Configuration { get; set; } = null!;

    public List<ConfigurationChange> ConfigurationHistory { get; } = [];

    // --- What this node has told others, to check that restarts never forget it. ---
    public Ballot MaxPromiseSent { get; set; }

    public Dictionary<long, Ballot> MaxAcceptedSent { get; } = [];

    public Ballot LastPromisedSeen { get; set; }

    public bool IsUp => Replica is not null;

    public long Applied => AppliedLog.Count;
}
