using Doozer.Consensus.Messages;

namespace Doozer.Consensus;

// The acceptor: the only durable state of the protocol. Invariant: promised never decreases, across restarts too,
// and an acceptance is never answered before it is in a Ready to persist.
public sealed partial class Replica
{
    private Ballot promised;
    private readonly Dictionary<long, AcceptedEntry> accepted = [];

    // PlantedBug.AckBeforePersist: durable writes held back one cycle while their answers go out now.
    private readonly List<(long Cycle, AcceptedEntry Entry)> deferredAccepted = [];
    private long deferredPromiseCycle = -1;

    private bool restoredFromDisk;

    private void Restore(DurableState state)
    {
        promised = state.Promised;
        highestSeen = state.Promised;
        snapshotSlot = state.SnapshotSlot;
        commit = applied = emittedThrough = state.SnapshotSlot;
        foreach (var entry in state.Accepted)
        {
            if (entry.Slot > snapshotSlot)
                accepted[entry.Slot] = entry;
        }
        if (state.Configurations.Count > 0)
        {
            configurations.Clear();
            configurations.AddRange(state.Configurations.OrderBy(c => c.AppliedSlot));
        }
        restoredFromDisk = true;
    }

    private void RaisePromise(Ballot to)
    {
        if (to <= promised)
            return;
        promised = to;
        if (options.PlantedBug == PlantedBug.AckBeforePersist)
            deferredPromiseCycle = cycle;
        else
            ready.Promised = promised;
    }

    private void PersistAccepted(AcceptedEntry entry)
    {
        if (options.PlantedBug == PlantedBug.AckBeforePersist)
            deferredAccepted.Add((cycle, entry));
        else
            ready.AcceptedList.Add(entry);
    }

    private bool HasDeferredPersistence => false;

    private void ReleaseDeferredPersistence()
    {
        // Called before the cycle number moves: releases only what was produced before the previous GetReady, whose
        // answers already left unprotected.
        if (deferredPromiseCycle >= 0 && deferredPromiseCycle < cycle)
        {
            ready.Promised = promised;
            deferredPromiseCycle = -1;
        }
        var kept = 0;
        foreach (var (producedIn, entry) in deferredAccepted)
        {
            if (producedIn < cycle)
                ready.AcceptedList.Add(entry);
            else
                deferredAccepted[kept++] = (producedIn, entry);
        }
        deferredAccepted.RemoveRange(kept, deferredAccepted.Count - kept);
    }

    private void OnPrepare(Prepare m)
    {
        // Leader stickiness (Raft thesis 4.2.3): while this replica hears from a live leader, a higher ballot from
        // anyone else gets no answer. The sender cannot be hearing that leader (or it would not stand), so it is cut
        // off, or a voter evicted while it was away and unaware of it; promising it would depose a working leader at
        // each of its election timeouts. Refusing a promise is always safe; once the leader falls silent for an
        // election timeout, promises are given again.
        if (m.From != Id && m.Ballot > promised && HearsLiveLeader(other: m.From))
            return;
        // A voter that a decided configuration removed, standing again because nobody told it (it was cut off while
        // it was evicted): promising it would depose the leader of every replica whose election timer has run out,
        // say after the leader stalled for a moment. Only the leader this replica follows is still answered: a leader
        // removed by its own configuration change must finish the slots it governs (it may need a new promise for
        // them), and the voters follow it meanwhile.
        if (m.From != Id && m.From != leaderId && WasRemovedAsVoter(m.From))
            return;
        NoteBallot(m.Ballot);
        // Equal is allowed: only the ballot's own proposer sends it, e.g. again after a lost promise.
        if (m.Ballot < promised)
        {
            Send(new Rejected(Id, m.From, m.Ballot, promised));
            YieldIfAhead(m);
            return;
        }
        if (m.Ballot > promised && m.From != Id)
            StepDownFor(m.Ballot);
        RaisePromise(m.Ballot);
        var reported = new List<AcceptedEntry>();
        var known = new List<DecidedSlot>();
        long bytes = 0;
        foreach (var entry in accepted.Values)
        {
            // What the candidate holds in the same ballot it already has: only the rest travels.
            if (entry.Slot >= m.FirstSlot && !BallotRun.Covers(m.Holding, entry.Slot, entry.Ballot))
            {
                reported.Add(entry);
                bytes += entry.Value.PayloadBytes;
            }
        }
        foreach (var (slot, value) in decided)
        {
            if (slot >= m.FirstSlot)
            {
                known.Add(new DecidedSlot(slot, value));
                bytes += value.PayloadBytes;
            }
        }
        // A candidate that lacks much of what this replica holds (back from a cut or a pause, still catching up) is
        // promised, but does not hold this replica back from standing itself: its promises carry all it lacks,
        // possibly too much to send and read within an election timeout, and its resent Prepares used to restart this
        // timer each time, so nobody else stood either (kill -9 of the leader as a stopped follower resumed 48 MiB
        // behind: no leader in 10 minutes). "Much" is more than an alpha window of slots, or more than a slot's worth
        // of bytes: a candidate fewer slots behind can still lack tens of MiB of large values (on a loaded machine,
        // the resumed follower stood again while catching up, and there was no leader for 5 s). This replica then
        // stands and wins, and the candidate catches up from it. Refusing the promise instead starved a leader that
        // gathers promises from new voters with the Prepare of its election, whose first slot the voters' commits
        // have long passed (simulator).
        if (m.From != Id && commit - m.FirstSlot < options.Alpha && bytes <= options.MaxBytesPerSlot)
            ResetElectionTimer();
        YieldIfAhead(m);
        Send(new Promise(Id, m.From, m.Ballot, m.FirstSlot, [.. reported], [.. known], snapshotSlot));
    }

    /// <summary>
    /// A candidate that knows slots decided which this replica lacks (its Prepare starts past this commit) is the one
    /// to elect: its promise from here is small, while this replica's from it would carry all it lacks. So this
    /// replica stops standing and waits an extra two election timeouts before standing again; the candidate's resent
    /// Prepares keep it waiting. Without this, a follower resumed tens of MiB behind and the up-to-date replica stood
    /// together at every timeout, the laggard won each round's tie on its node id, and its promise never arrived in
    /// time: no leader for 30 s on a loaded machine. Two replicas cannot both be ahead of each other, so one always
    /// stands; only timing changes, never what is promised.
    /// </summary>
    private void YieldIfAhead(Prepare m)
    {
        if (m.From == Id || m.FirstSlot <= commit + 1)
            return;
        if (role == Role.Candidate)
            BecomeFollower();
        ResetElectionTimer();
        electionTimeout += 2 * options.ElectionTicks;
    }

    private void OnAccept(Accept m)
    {
        NoteBallot(m.Ballot);
        if (m.Ballot < promised)
        {
            Send(new Rejected(Id, m.From, m.Ballot, promised));
            return;
        }
        if (m.From != Id)
        {
            StepDownFor(m.Ballot);
            FollowLeader(m.From, m.Ballot);
        }
        RaisePromise(m.Ballot);
        if (m.Slot > snapshotSlot)
        {
            if (!accepted.TryGetValue(m.Slot, out var existing) || existing.Ballot != m.Ballot)
            {
                var entry = new AcceptedEntry(m.Slot, m.Ballot, m.Value);
                accepted[m.Slot] = entry;
                PersistAccepted(entry);
            }
        }
        // A compacted slot is decided and applied here, so the leader's value for it is the decided one: answering
        // lets a leader that re-proposes it reach its quorum.
        Send(new Accepted(Id, m.From, m.Ballot, m.Slot));
        if (m.From != Id)
            LearnFromLeader(m.From, m.Ballot, m.Commit);
    }

    /// <summary>
    /// What a snapshot of the applied state must carry for this acceptor to restart from it: the promise, every
    /// acceptance above <see cref="Applied"/> (the snapshot's slot; they may not be decided yet, so they must survive
    /// the log truncation that follows the snapshot) and the configuration history. Call outside a Ready cycle. It may
    /// include acceptances whose Ready is not persisted yet: storing a vote early is always safe.
    /// </summary>
    public DurableState CaptureDurableState()
    {
        if (handedOut is not null)
            throw new InvalidOperationException("Capture the durable state outside a Ready cycle.");
        var above = new List<AcceptedEntry>();
        foreach (var entry in accepted.Values)
        {
            if (entry.Slot > applied)
                above.Add(entry);
        }
        above.Sort(static (a, b) => a.Slot.CompareTo(b.Slot));
        return new DurableState(promised, above, applied, [.. configurations]);
    }

    /// <summary>
    /// Discards log entries at or below <paramref name="throughSlot"/>: the caller has durably stored a snapshot of
    /// its applied state there. Only applied slots may be discarded.
    /// </summary>
    public void Compact(long throughSlot)
    {
        if (handedOut is not null)
            throw new InvalidOperationException("Compact outside a Ready cycle.");
        if (throughSlot > applied)
            throw new ArgumentOutOfRangeException(nameof(throughSlot), "Only applied slots can be compacted.");
        if (throughSlot <= snapshotSlot)
            return;
        for (var slot = snapshotSlot + 1; slot <= throughSlot; slot++)
        {
            accepted.Remove(slot);
            decided.Remove(slot);
        }
        snapshotSlot = throughSlot;
    }
}
