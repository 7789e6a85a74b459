using Doozer.Consensus.Messages;

namespace Doozer.Consensus;

// The learner: knows which slots are decided, asks for values it lacks, installs snapshots when too far behind.
public sealed partial class Replica
{
    // Decided values above the snapshot. Invariant: snapshotSlot <= applied <= emittedThrough <= commit, and every
    // slot in (snapshotSlot, commit] is in `decided`.
    private readonly Dictionary<long, SlotValue> decided = [];
    private long commit;
    private long applied;
    private long emittedThrough;
    private long snapshotSlot;
    private long leaderCommit;
    private long lastFetchTick = -1;
    private long lastFetchFirst = -1;
    private SnapshotRequest? pendingSnapshot;
    private long snapshotRequestedTick;

    // A follower scans at most this many slots per leader message, so a far-behind node does bounded work per step.
    private const int LearnScanLimit = 256;

    private void LearnDecided(long slot, SlotValue value)
    {
        if (slot <= commit || slot <= snapshotSlot)
            return;
        decided.TryAdd(slot, value);
        while (decided.ContainsKey(commit + 1))
            commit++;
    }

    /// <summary>
    /// The leader of <paramref name="of"/> says every slot up to <paramref name="leaderCommitIndex"/> is decided.
    /// A slot we accepted in that same ballot holds the leader's value, which is the decided one (a ballot proposes
    /// one value per slot). Any other slot must be fetched.
    /// </summary>
    private void LearnFromLeader(int leader, Ballot of, long leaderCommitIndex)
    {
        if (leaderCommitIndex > leaderCommit)
            leaderCommit = leaderCommitIndex;
        var last = Math.Min(leaderCommitIndex, commit + LearnScanLimit);
        for (var slot = commit + 1; slot <= last; slot++)
        {
            if (!decided.ContainsKey(slot) && accepted.TryGetValue(slot, out var entry) && entry.Ballot == of)
                LearnDecided(slot, entry.Value);
        }
        if (commit < leaderCommitIndex)
            FetchMissing(leader, leaderCommitIndex);
    }

    private void FetchMissing(int from, long upTo)
    {
        // One fetch per tick, and the same slots again only after an election timeout: an answer still on its way
        // (megabytes, on a loaded machine) must not be asked for again at every heartbeat, each ask costing the
        // leader another answer as large. A lost answer is retried then; an answer that arrives fetches the next
        // slots at once (OnDecidedValues).
        if (lastFetchTick == tick || pendingSnapshot is not null)
            return;
        if (lastFetchFirst == commit + 1 && tick - lastFetchTick < options.ElectionTicks)
            return;
        lastFetchTick = tick;
        lastFetchFirst = commit + 1;
        Send(new FetchDecided(Id, from, commit + 1, Math.Min(upTo, commit + options.MaxFetchSlots)));
    }

    private void OnFetchDecided(FetchDecided m)
    {
        if (m.FirstSlot <= snapshotSlot)
        {
            Send(new SnapshotAvailable(Id, m.From, snapshotSlot));
            return;
        }
        var values = new List<SlotValue>();
        long bytes = 0;
        for (var slot = m.FirstSlot; slot <= m.LastSlot && values.Count < options.MaxFetchSlots && bytes < options.MaxFetchBytes; slot++)
        {
            if (!decided.TryGetValue(slot, out var value))
                break;
            values.Add(value);
            bytes += value.PayloadBytes;
        }
        if (values.Count > 0)
            Send(new DecidedValues(Id, m.From, m.FirstSlot, [.. values]));
    }

    private void OnDecidedValues(DecidedValues m)
    {
        var before = commit;
        for (var i = 0; i < m.Values.Length; i++)
            LearnDecided(m.FirstSlot + i, m.Values[i]);
        if (commit > before && commit < leaderCommit && leaderId >= 0)
        {
            lastFetchTick = -1;
            FetchMissing(m.From, leaderCommit);
        }
    }

    private void OnSnapshotAvailable(SnapshotAvailable m)
    {
        if (m.Slot > commit)
            RequestSnapshot(m.From, m.Slot);
    }

    private void RequestSnapshot(int from, long slot)
    {
        if (pendingSnapshot is not null)
            return;
        pendingSnapshot = new SnapshotRequest(from, slot);
        snapshotRequestedTick = tick;
        ready.InstallSnapshot = pendingSnapshot;
    }

    /// <summary>
    /// The caller installed a snapshot of the state after applying <paramref name="slot"/>, whose configuration
    /// history is <paramref name="configurationHistory"/>, and persisted it. Log entries at or below it are dropped.
    /// </summary>
    public void InstallSnapshot(long slot, IReadOnlyList<ConfigurationChange> configurationHistory)
    {
        ArgumentNullException.ThrowIfNull(configurationHistory);
        if (handedOut is not null)
            throw new InvalidOperationException("Install a snapshot outside a Ready cycle.");
        pendingSnapshot = null;
        if (slot <= applied)
            return;
        if (role != Role.Follower)
            BecomeFollower();
        foreach (var key in accepted.Keys.Where(k => k <= slot).ToList())
            accepted.Remove(key);
        foreach (var key in decided.Keys.Where(k => k <= slot).ToList())
            decided.Remove(key);
        snapshotSlot = slot;
        applied = emittedThrough = slot;
        if (commit < slot)
            commit = slot;
        while (decided.ContainsKey(commit + 1))
            commit++;
        if (configurationHistory.Count > 0)
        {
            configurations.Clear();
            configurations.AddRange(configurationHistory.OrderBy(c => c.AppliedSlot));
            RecomputeMembers();
        }
    }
}
