using Doozer.Consensus.Messages;

namespace Doozer.Consensus;

// The proposer: elections (phase 1 once over every slot from the first undecided one), recovery of accepted values,
// then pipelined phase 2 bounded by the alpha window.
public sealed partial class Replica
{
    private Role role;
    private Ballot ballot;
    private Ballot highestSeen;
    private int leaderId = -1;
    private Ballot leaderBallot;
    private int electionElapsed;
    private int electionTimeout;
    private int heartbeatElapsed;
    private int quorumCheckElapsed;
    private int failedElections;
    private bool reusedBallotAfterRestart;

    // Phase 1 state, kept while leading: later promises still recover values for slots not yet proposed.
    private readonly HashSet<int> promisers = [];
    private readonly Dictionary<long, Recovered> recovered = [];
    private long prepareFrom;
    // This candidate's own acceptances from prepareFrom on, sent with every Prepare of the ballot (Prepare.Holding).
    private BallotRun[] holding = [];

    // Invariant: every slot in [prepareFrom, recoveryEnd] gets a proposal (recovered value or no-op) before any new
    // command, so a new leader never leaves a hole that would block the decided prefix.
    private long recoveryEnd;

    // Phase 2 state. Invariant: every slot in [prepareFrom, nextSlot) was proposed in `ballot` exactly once.
    private long nextSlot;
    private readonly Dictionary<long, Proposal> proposals = [];
    private readonly List<Command> pending = [];
    private long pendingBytes;
    // Request ids queued or in flight on this leader: a client's retry of one is not queued again. Under overload
    // every retry used to add another copy, so the backlog grew faster than slots drained it (congestion collapse,
    // found by the simulator at 10,000 seeds); the applied-request table made the copies harmless, not free.
    private readonly HashSet<long> queuedRequestIds = [];
    private readonly List<Command> forwardBuffer = [];
    private readonly HashSet<int> heardSinceCheck = [];

    /// <summary>
    /// Queues a command. On the leader it goes into the next slot's batch; elsewhere it is forwarded to the known
    /// leader. Returns false when no leader is known (the caller retries later with the same request id).
    /// </summary>
    public bool Propose(long requestId, ReadOnlyMemory<byte> payload)
    {
        var command = new Command(requestId, payload);
        if (role == Role.Leader)
        {
            Enqueue(command);
            return true;
        }
        if (leaderId >= 0)
        {
            forwardBuffer.Add(command);
            return true;
        }
        return false;
    }

    private void TickFollowerOrCandidate()
    {
        electionElapsed++;
        if (pendingSnapshot is not null && tick - snapshotRequestedTick > 2L * options.ElectionTicks)
            pendingSnapshot = null;
        if (electionElapsed >= electionTimeout)
        {
            // Learners never start elections.
            if (LatestConfiguration.IsVoter(Id))
            {
                if (role == Role.Candidate)
                    failedElections++;
                StartElection();
            }
            else
            {
                ResetElectionTimer();
            }
            return;
        }
        if (role == Role.Candidate && ++heartbeatElapsed >= options.HeartbeatTicks)
        {
            heartbeatElapsed = 0;
            ResendPrepares();
        }
    }

    private void TickLeader()
    {
        if (++heartbeatElapsed >= options.HeartbeatTicks)
        {
            heartbeatElapsed = 0;
            BroadcastHeartbeat();
            Retransmit();
        }
        // Step down when a majority has been silent for an election timeout: a partitioned leader must not keep
        // clients waiting, and a majority elsewhere will elect a new one anyway.
        if (++quorumCheckElapsed >= options.ElectionTicks)
        {
            quorumCheckElapsed = 0;
            heardSinceCheck.Add(Id);
            var holds = LatestConfiguration.HasQuorum(heardSinceCheck);
            heardSinceCheck.Clear();
            if (!holds)
                BecomeFollower();
        }
    }

    private Ballot NextBallot()
    {
        if (options.PlantedBug == PlantedBug.ReuseBallot && restoredFromDisk && !reusedBallotAfterRestart &&
            promised.NodeId == Id && !promised.IsZero)
        {
            reusedBallotAfterRestart = true;
            return promised;
        }
        // Higher than anything promised (durable) or seen, so never reused, also across restarts.
        return new Ballot(Math.Max(promised.Round, highestSeen.Round) + 1, Id);
    }

    private void StartElection()
    {
        BecomeFollower();
        role = Role.Candidate;
        ballot = NextBallot();
        NoteBallot(ballot);
        // Our own promise is persisted in this cycle, before any Prepare of the ballot leaves.
        RaisePromise(ballot);
        prepareFrom = commit + 1;
        recoveryEnd = commit;
        heartbeatElapsed = 0;
        ResetElectionTimer();
        // The promises leave out what this replica holds, so its own acceptances are recovered here, whichever quorum
        // promises. Counting an acceptor beyond a quorum is safe: every acceptance in a ballot above the one a value
        // was chosen in carries that value, so the highest ballot seen still names it.
        holding = BallotRun.Of(accepted.Values, prepareFrom);
        foreach (var entry in accepted.Values)
        {
            if (entry.Slot >= prepareFrom && options.PlantedBug != PlantedBug.HoldingNotRecovered)
                Recover(entry.Slot, entry.Ballot, entry.Value, decidedValue: false);
        }
        Send(new Prepare(Id, Id, ballot, prepareFrom) { Holding = holding });
        foreach (var member in members)
            Send(new Prepare(Id, member, ballot, prepareFrom) { Holding = holding });
    }

    private void ResendPrepares()
    {
        foreach (var member in members)
        {
            if (!promisers.Contains(member))
                Send(new Prepare(Id, member, ballot, prepareFrom) { Holding = holding });
        }
    }

    private void OnPromise(Promise m)
    {
        if (role == Role.Follower || m.Ballot != ballot)
            return;
        heardSinceCheck.Add(m.From);
        foreach (var known in m.Decided)
            LearnDecided(known.Slot, known.Value);
        if (m.SnapshotSlot >= prepareFrom && m.SnapshotSlot > commit)
        {
            // The acceptor discarded slots we have not learned: we cannot recover them, so we must not lead.
            BecomeFollower();
            RequestSnapshot(m.From, m.SnapshotSlot);
            return;
        }
        if (!promisers.Add(m.From))
            return;
        // Slots already proposed in this ballot keep their value: the quorum that allowed the proposal made it safe.
        var floor = role == Role.Leader ? nextSlot : prepareFrom;
        foreach (var entry in m.Accepted)
        {
            if (entry.Slot >= floor && entry.Slot > commit)
                Recover(entry.Slot, entry.Ballot, entry.Value, decidedValue: false);
        }
        foreach (var known in m.Decided)
        {
            if (known.Slot >= floor)
                Recover(known.Slot, Ballot.Zero, known.Value, decidedValue: true);
        }
        TryBecomeLeader();
    }

    private void Recover(long slot, Ballot acceptedIn, SlotValue value, bool decidedValue)
    {
        // Highest ballot wins (Paxos phase 1); a value known decided wins over everything.
        if (!recovered.TryGetValue(slot, out var current) ||
            (decidedValue && !current.Decided) ||
            (!current.Decided && acceptedIn > current.Ballot))
            recovered[slot] = new Recovered(acceptedIn, value, decidedValue);
        if (slot > recoveryEnd)
            recoveryEnd = slot;
    }

    private void TryBecomeLeader()
    {
        if (role != Role.Candidate || !KnowsConfigurationFor(prepareFrom))
            return;
        if (!ConfigurationFor(prepareFrom).HasQuorum(promisers))
            return;
        role = Role.Leader;
        leaderId = Id;
        leaderBallot = ballot;
        failedElections = 0;
        nextSlot = Math.Max(prepareFrom, commit + 1);
        heartbeatElapsed = 0;
        quorumCheckElapsed = 0;
        heardSinceCheck.Clear();
        Enqueue(forwardBuffer);
        forwardBuffer.Clear();
        BroadcastHeartbeat();
    }

    private bool CanPropose()
    {
        if (role != Role.Leader)
            return false;
        var slot = nextSlot;
        if (options.PlantedBug != PlantedBug.IgnoreAlpha && slot > applied + options.Alpha)
            return false;
        // A slot needs promises from a majority of its own voters: configurations change under the leader.
        if (!ConfigurationFor(slot).HasQuorum(promisers))
            return false;
        return slot <= recoveryEnd || (pending.Count > 0 && !ReadsStarving && MayOpenSlotForCommands) || slot <= fillThrough;
    }

    /// <summary>
    /// Group commit: with nothing in flight, queued commands go out at once. While a slot is in flight, another opens
    /// only for a backlog that fills a whole slot (a bulk load, large values), up to <see cref="ReplicaOptions.MaxSlotsInFlight"/>:
    /// smaller arrivals wait for the slot in flight and share the next one. Every slot costs each replica a log
    /// write, an fsync and a message round, so fewer, fuller slots carry more commands on the same machines. The
    /// batch grows with the round trip, so a slower network means larger batches rather than lower throughput; the
    /// price is that a command arriving just after a slot went out waits up to one more round trip.
    /// </summary>
    private bool MayOpenSlotForCommands =>
        proposals.Count == 0 ||
        proposals.Count < options.MaxSlotsInFlight &&
        (pending.Count >= options.MaxCommandsPerSlot || pendingBytes >= options.MaxBytesPerSlot);

    private void Enqueue(IReadOnlyList<Command> commands)
    {
        foreach (var command in commands)
            Enqueue(command);
    }

    private void Enqueue(Command command)
    {
        if (command.RequestId != 0 && !queuedRequestIds.Add(command.RequestId))
            return;
        pending.Add(command);
        pendingBytes += command.Payload.Length;
    }

    /// <summary>Turns recovered values, gaps and queued commands into proposals, as far as the window allows.</summary>
    private void Pump()
    {
        StartReadRoundIfNeeded();
        while (CanPropose())
        {
            var slot = nextSlot++;
            SlotValue value;
            if (slot <= recoveryEnd)
            {
                if (recovered.Remove(slot, out var found))
                    value = found.Value;
                else if (options.PlantedBug == PlantedBug.SkipGap)
                    continue;
                else
                    value = SlotValue.NoOp;
            }
            else if (pending.Count == 0)
            {
                value = SlotValue.NoOp;
            }
            else
            {
                var limit = Math.Min(pending.Count, options.MaxCommandsPerSlot);
                var count = 1;
                for (long bytes = pending[0].Payload.Length; count < limit; count++)
                {
                    bytes += pending[count].Payload.Length;
                    if (bytes > options.MaxBytesPerSlot)
                        break;
                }
                var batch = new Command[count];
                pending.CopyTo(0, batch, 0, count);
                pending.RemoveRange(0, count);
                foreach (var command in batch)
                    pendingBytes -= command.Payload.Length;
                value = new SlotValue(batch);
            }
            ProposeAt(slot, value);
        }
    }

    private void ProposeAt(long slot, SlotValue value)
    {
        proposals[slot] = new Proposal(value, ConfigurationFor(slot));
        Send(new Accept(Id, Id, ballot, slot, value, commit));
        foreach (var member in members)
            Send(new Accept(Id, member, ballot, slot, value, commit));
    }

    private void Retransmit()
    {
        foreach (var (slot, proposal) in proposals)
        {
            foreach (var member in members)
            {
                if (!proposal.Acks.Contains(member))
                    Send(new Accept(Id, member, ballot, slot, proposal.Value, commit));
            }
        }
        ResendPrepares();
    }

    private void OnAccepted(Accepted m)
    {
        if (role != Role.Leader || m.Ballot != ballot)
            return;
        heardSinceCheck.Add(m.From);
        if (!proposals.TryGetValue(m.Slot, out var proposal))
            return;
        proposal.Acks.Add(m.From);
        var voters = options.PlantedBug == PlantedBug.IgnoreAlpha ? LatestConfiguration : proposal.Voters;
        if (voters.HasQuorum(proposal.Acks))
        {
            proposals.Remove(m.Slot);
            foreach (var command in proposal.Value.Commands)
                queuedRequestIds.Remove(command.RequestId);
            LearnDecided(m.Slot, proposal.Value);
        }
    }

    private void OnRejected(Rejected m)
    {
        NoteBallot(m.Promised);
        if (role != Role.Follower && m.Ballot == ballot && m.Promised > ballot)
        {
            if (role == Role.Candidate)
                failedElections++;
            BecomeFollower();
        }
    }

    private void OnForwardedProposals(ForwardedProposals m)
    {
        // Not the leader (any more): drop; the proposer's client retries with the same request id.
        if (role == Role.Leader)
            Enqueue(m.Commands);
    }

    private void FlushForwards()
    {
        if (leaderId < 0 || leaderId == Id)
            return;
        if (forwardBuffer.Count > 0)
        {
            Send(new ForwardedProposals(Id, leaderId, [.. forwardBuffer]));
            forwardBuffer.Clear();
        }
        if (forwardedReads.Count > 0)
        {
            Send(new ReadIndexRequest(Id, leaderId, [.. forwardedReads]));
            forwardedReads.Clear();
        }
    }

    private void BroadcastHeartbeat()
    {
        foreach (var member in members)
            Send(new Heartbeat(Id, member, ballot, commit, readRound));
    }

    private void NoteBallot(Ballot seen)
    {
        if (seen > highestSeen)
            highestSeen = seen;
    }

    /// <summary>
    /// True while this replica leads, or follows a leader other than <paramref name="other"/> that it heard within the
    /// minimum election timeout.
    /// </summary>
    private bool HearsLiveLeader(int other) =>
        role == Role.Leader || (role == Role.Follower && leaderId >= 0 && leaderId != other && electionElapsed < options.ElectionTicks);

    private void StepDownFor(Ballot higher)
    {
        if (role != Role.Follower && higher > ballot)
            BecomeFollower();
        if (higher > leaderBallot && leaderId >= 0 && leaderId != Id)
            leaderId = -1;
    }

    private void FollowLeader(int leader, Ballot of)
    {
        if (of >= leaderBallot || leaderId < 0)
        {
            leaderId = leader;
            leaderBallot = of;
        }
        electionElapsed = 0;
        failedElections = 0;
    }

    private void BecomeFollower()
    {
        if (role == Role.Leader)
        {
            // Queued commands go to whoever leads next; in-flight ones survive only if the next leader recovers them.
            forwardBuffer.AddRange(pending);
            pending.Clear();
            pendingBytes = 0;
            queuedRequestIds.Clear();
            pendingReads.Clear();
            oldestReadTick = -1;
        }
        if (role != Role.Follower)
            leaderId = -1;
        role = Role.Follower;
        proposals.Clear();
        promisers.Clear();
        recovered.Clear();
        ResetElectionTimer();
    }

    private sealed class Proposal(SlotValue value, Configuration voters)
    {
        public SlotValue Value { get; } = value;

        public Configuration Voters { get; } = voters;

        public HashSet<int> Acks { get; } = [];
    }

    private readonly record struct Recovered(Ballot Ballot, SlotValue Value, bool Decided);
}
