using Doozer.Consensus.Messages;

namespace Doozer.Consensus;

// Heartbeats and linearizable reads. A read is granted at index I once a heartbeat round started after the read was
// requested has been acknowledged, for every configuration governing (I, I + alpha], by a majority of voters that
// promised our ballot in phase 1 and still hold that promise. I covers everything we recovered or proposed, so any
// slot decided before the read (by us or by an older ballot) is at or below I.
public sealed partial class Replica
{
    private long readRound;
    private bool readRoundWanted;
    private long oldestReadTick = -1;
    private readonly Dictionary<int, long> readAcks = [];
    private readonly List<PendingRead> pendingReads = [];
    private readonly List<long> forwardedReads = [];

    /// <summary>
    /// Asks for a read index. The grant comes out in <see cref="Ready.ReadGrants"/> (here or, for a forwarded read,
    /// at this node when the leader answers). No answer means no leader confirmed it: the caller retries.
    /// </summary>
    public void RequestRead(long readId)
    {
        if (role == Role.Leader)
            QueueRead(readId, Id);
        else
            forwardedReads.Add(readId);
    }

    // Reads must not wait behind an endless write pipeline: after an election timeout, stop cutting new slots
    // until the pipeline drains below the read index.
    private bool ReadsStarving => pendingReads.Count > 0 && oldestReadTick >= 0 && tick - oldestReadTick > options.ElectionTicks;

    private void QueueRead(long readId, int origin)
    {
        if (pendingReads.Count == 0)
            oldestReadTick = tick;
        pendingReads.Add(new PendingRead(readId, readRound + 1, origin));
        readRoundWanted = true;
    }

    private void StartReadRoundIfNeeded()
    {
        if (!readRoundWanted || role != Role.Leader)
            return;
        readRoundWanted = false;
        readRound++;
        BroadcastHeartbeat();
        TryGrantReads();
    }

    private void OnReadIndexRequest(ReadIndexRequest m)
    {
        if (role != Role.Leader)
            return;
        foreach (var readId in m.ReadIds)
            QueueRead(readId, m.From);
    }

    private void OnReadIndexResponse(ReadIndexResponse m)
    {
        foreach (var readId in m.ReadIds)
            ready.ReadGrantList.Add(new ReadGrant(readId, m.Index));
    }

    private void OnHeartbeat(Heartbeat m)
    {
        NoteBallot(m.Ballot);
        if (m.Ballot < promised)
        {
            Send(new Rejected(Id, m.From, m.Ballot, promised));
            return;
        }
        StepDownFor(m.Ballot);
        FollowLeader(m.From, m.Ballot);
        LearnFromLeader(m.From, m.Ballot, m.Commit);
        Send(new HeartbeatAck(Id, m.From, m.Ballot, m.ReadRound, promised == m.Ballot, commit));
    }

    private void OnHeartbeatAck(HeartbeatAck m)
    {
        if (role != Role.Leader || m.Ballot != ballot)
            return;
        heardSinceCheck.Add(m.From);
        if (m.HoldsPromise && promisers.Contains(m.From) &&
            (!readAcks.TryGetValue(m.From, out var round) || m.ReadRound > round))
            readAcks[m.From] = m.ReadRound;
        TryGrantReads();
    }

    private void TryGrantReads()
    {
        if (role != Role.Leader || pendingReads.Count == 0)
            return;
        var index = Math.Max(Math.Max(recoveryEnd, nextSlot - 1), commit);
        // Configurations of (index, index + alpha] are known only once index is applied.
        if (applied < index)
            return;
        var granted = 0;
        List<long>? forOrigin = null;
        foreach (var read in pendingReads)
        {
            if (!RoundConfirmed(read.Round, index))
                break;
            granted++;
            if (read.Origin == Id)
            {
                ready.ReadGrantList.Add(new ReadGrant(read.ReadId, index));
            }
            else
            {
                forOrigin ??= [];
                forOrigin.Add(read.ReadId);
            }
        }
        if (forOrigin is not null)
        {
            foreach (var origin in pendingReads.Take(granted).Select(r => r.Origin).Distinct())
            {
                if (origin == Id)
                    continue;
                var ids = pendingReads.Take(granted).Where(r => r.Origin == origin).Select(r => r.ReadId).ToArray();
                Send(new ReadIndexResponse(Id, origin, ids, index));
            }
        }
        pendingReads.RemoveRange(0, granted);
        oldestReadTick = pendingReads.Count == 0 ? -1 : tick;
    }

    private bool RoundConfirmed(long round, long index)
    {
        var selfHolds = promisers.Contains(Id) && promised == ballot;
        for (var i = configurations.Count - 1; i >= 0; i--)
        {
            var change = configurations[i];
            var effective = i == 0 ? long.MinValue : change.AppliedSlot + options.Alpha;
            // Every configuration that governs some slot in (index, index + alpha].
            if (effective > index + options.Alpha)
                continue;
            var configuration = change.Configuration;
            var confirmed = 0;
            foreach (var voter in configuration.Voters)
            {
                if (voter == Id ? selfHolds : readAcks.TryGetValue(voter, out var acked) && acked >= round)
                    confirmed++;
            }
            if (confirmed < configuration.Quorum)
                return false;
            if (effective <= index + 1)
                break;
        }
        return true;
    }

    private readonly record struct PendingRead(long ReadId, long Round, int Origin);
}
