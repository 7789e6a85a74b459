using Doozer.Consensus.Messages;

namespace Doozer.Consensus;

/// <summary>
/// One Multi-Paxos replica (proposer, acceptor and learner in one), as a pure state machine in the style of etcd's
/// raft: no I/O, no clock, no threads. Inputs are <see cref="Step"/>, <see cref="Tick"/>, <see cref="Propose"/>,
/// <see cref="RequestRead"/>, <see cref="ReportConfiguration"/>, <see cref="InstallSnapshot"/> and
/// <see cref="Compact"/>; all outputs come out of one <see cref="Ready"/>.
/// <para>
/// Contract with the caller (the node driver), per cycle: while <see cref="HasReady"/>, take <see cref="GetReady"/>,
/// PERSIST its promised ballot and accepted entries, THEN SEND its messages, THEN APPLY its decided slots in order
/// (calling <see cref="ReportConfiguration"/> after a slot that changes the voters), THEN call <see cref="Advance"/>.
/// Nothing the replica sends depends on state that is not yet durable, because messages are only released after the
/// state of the same cycle is persisted, and messages to itself are only delivered in <see cref="Advance"/>.
/// Inputs may arrive between <see cref="GetReady"/> and <see cref="Advance"/>; their effects go into the next cycle.
/// <see cref="InstallSnapshot"/> and <see cref="Compact"/> must be called outside a cycle.
/// </para>
/// Not thread-safe: one driver loop owns it.
/// </summary>
public sealed partial class Replica
{
    private readonly ReplicaOptions options;
    private readonly Random random;

    // Double-buffered: inputs between GetReady and Advance fill the other Ready.
    private Ready ready = new();
    private Ready? handedOut;
    private Ready spare = new();

    // Messages to this replica itself are delivered only after the cycle that produced them is persisted.
    private List<Message> loopbackPending = [];
    private List<Message> loopbackInFlight = [];

    private long tick;
    private long cycle;

    public Replica(ReplicaOptions options, Random random, DurableState? restored = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        if (options.Alpha < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "Alpha must be at least 1.");
        this.options = options;
        this.random = random;
        Id = options.NodeId;
        configurations.Add(new ConfigurationChange(0, options.InitialConfiguration));
        if (restored is not null)
            Restore(restored);
        RecomputeMembers();
        ResetElectionTimer();
    }

    public int Id { get; }

    public Role Role => role;

    /// <summary>The leader this replica believes in, or -1.</summary>
    public int LeaderId => leaderId;

    public Ballot Promised => promised;

    /// <summary>Invariant: every slot at or below Commit is decided and its value known here (or in the snapshot).</summary>
    public long Commit => commit;

    public long Applied => applied;

    /// <summary>
    /// The highest slot this replica knows to be decided anywhere: its own commit on the leader, the leader's commit
    /// as last heard elsewhere. A node whose <see cref="Applied"/> has reached it is caught up.
    /// </summary>
    public long KnownCommit => role == Role.Leader ? commit : Math.Max(commit, leaderCommit);

    public long SnapshotSlot => snapshotSlot;

    public Ballot CurrentBallot => ballot;

    /// <summary>Advances logical time by one tick: election timeouts, heartbeats and retransmissions count ticks.</summary>
    public void Tick()
    {
        tick++;
        switch (role)
        {
            case Role.Leader:
                TickLeader();
                break;
            default:
                TickFollowerOrCandidate();
                break;
        }
    }

    /// <summary>Feeds one message from the network (or from the loopback). Stale and duplicate messages are harmless.</summary>
    public void Step(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.To != Id)
            return;
        switch (message)
        {
            case Prepare m: OnPrepare(m); break;
            case Promise m: OnPromise(m); break;
            case Rejected m: OnRejected(m); break;
            case Accept m: OnAccept(m); break;
            case Accepted m: OnAccepted(m); break;
            case Heartbeat m: OnHeartbeat(m); break;
            case HeartbeatAck m: OnHeartbeatAck(m); break;
            case FetchDecided m: OnFetchDecided(m); break;
            case DecidedValues m: OnDecidedValues(m); break;
            case SnapshotAvailable m: OnSnapshotAvailable(m); break;
            case ForwardedProposals m: OnForwardedProposals(m); break;
            case ReadIndexRequest m: OnReadIndexRequest(m); break;
            case ReadIndexResponse m: OnReadIndexResponse(m); break;
        }
    }

    public bool HasReady =>
        !ready.IsEmpty || loopbackPending.Count > 0 || commit > emittedThrough || ready.Promised is not null ||
        HasDeferredPersistence || CanPropose() || (forwardBuffer.Count > 0 && leaderId >= 0 && leaderId != Id) ||
        (forwardedReads.Count > 0 && leaderId >= 0 && leaderId != Id) || (readRoundWanted && role == Role.Leader);

    /// <summary>Takes this cycle's output. Call <see cref="Advance"/> when it has been persisted, sent and applied.</summary>
    public Ready GetReady()
    {
        if (handedOut is not null)
            throw new InvalidOperationException("Advance the previous Ready first.");
        Pump();
        FlushForwards();
        ReleaseDeferredPersistence();
        cycle++;
        for (var slot = emittedThrough + 1; slot <= commit; slot++)
            ready.DecidedList.Add(new DecidedSlot(slot, decided[slot]));
        emittedThrough = commit;
        (loopbackPending, loopbackInFlight) = (loopbackInFlight, loopbackPending);
        handedOut = ready;
        ready = spare;
        return handedOut;
    }

    /// <summary>The caller persisted, sent and applied the last Ready.</summary>
    public void Advance()
    {
        if (handedOut is null)
            throw new InvalidOperationException("No Ready to advance.");
        applied = emittedThrough;
        handedOut.Clear();
        spare = handedOut;
        handedOut = null;
        // Loopback messages of the persisted cycle: the local acceptor's answers to the local proposer.
        foreach (var message in loopbackInFlight)
            Step(message);
        loopbackInFlight.Clear();
        TrimConfigurations();
        if (role == Role.Leader)
            TryGrantReads();
    }

    /// <summary>A one-line summary of the replica's state, for failure reports.</summary>
    internal string Describe() =>
        $"n{Id} {role} ballot {ballot} promised {promised} leader n{leaderId} commit {commit} applied {applied} " +
        $"snapshot {snapshotSlot} next {nextSlot} recoveryEnd {recoveryEnd} inflight [{string.Join(" ", proposals.Select(p => p.Key + ":" + string.Join(",", p.Value.Acks)))}] " +
        $"pending {pending.Count} fwd {forwardBuffer.Count} reads {pendingReads.Count} promisers [{string.Join(",", promisers.Order())}] " +
        $"cfg(next) {ConfigurationFor(nextSlot)} latest {LatestConfiguration} leaderCommit {leaderCommit} snapReq {pendingSnapshot}";

    private void Send(Message message)
    {
        if (message.To == Id)
            loopbackPending.Add(message);
        else
            ready.MessageList.Add(message);
    }

    private void ResetElectionTimer()
    {
        electionElapsed = 0;
        // Randomised in [E, 2E), widened by failed elections so duelling proposers spread out.
        var width = options.ElectionTicks * Math.Min(1 + failedElections, 4);
        electionTimeout = options.ElectionTicks + random.Next(width);
    }
}
