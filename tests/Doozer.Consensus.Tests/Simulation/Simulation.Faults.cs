namespace Doozer.Consensus.Tests.Simulation;

// Faults: crashes (losing everything not persisted), pauses, partitions (symmetric, asymmetric, leader isolation),
// and the liveness phase that heals them all.
internal sealed partial class Simulation
{
    // The last quarter of the fault phase is one episode: the leader is cut off right after proposing several slots
    // and stays cut off (no other faults, no early heal) until the liveness phase. The majority must elect a new
    // leader that recovers, fills the gaps and goes on; then everything heals.
    private bool finalEpisode;

    private void StartFinalEpisode()
    {
        finalEpisode = true;
        var leader = All.FirstOrDefault(n => n.Replica?.Role == Role.Leader);
        if (leader is null || IsPaused(leader))
            return;
        leader.IsolateAfterNextCycle = 1 + random.Next(MaxIsolateDelay);
        // A burst at the leader so that its next cycle proposes several slots at once.
        for (var i = 0; i < 24; i++)
        {
            var payload = new byte[8];
            random.NextBytes(payload);
            payload[0] = 0x01;
            var id = ++requestSequence;
            proposed[id] = payload;
            pendingRequests[id] = now;
            lastAttempt[id] = now;
            attempts[id] = 1;
            leader.Replica!.Propose(id, payload);
        }
        ScheduleReady(leader);
    }

    private void InjectFault()
    {
        if (!faultsOn || finalEpisode)
            return;
        Schedule(1 + random.Next(mix.FaultEvery * 2), new SimEvent(SimEventKind.Fault, 0));
        var leader = All.FirstOrDefault(n => n.Replica?.Role == Role.Leader);
        switch (random.Next(12))
        {
            case 0:
            case 1:
                CrashFor(All.ElementAt(random.Next(nodes.Length - 1)));
                break;
            case 2:
                if (leader is not null)
                    CrashFor(leader);
                break;
            case 3:
                // Crash at the worst moment, right after the leader's next cycle sent its messages, and come back
                // at once (a supervisor restarting the process) while the old messages are still in flight.
                if (leader is not null)
                {
                    leader.CrashAfterNextCycle = true;
                    Schedule(5 + random.Next(60), new SimEvent(SimEventKind.Restart, leader.Id));
                }
                break;
            case 4:
                SplitRandomly();
                break;
            case 5:
                if (leader is not null)
                    Isolate(leader.Id);
                break;
            case 6:
                // Asymmetric: some links drop in one direction only.
                for (var i = 0; i < 1 + random.Next(3); i++)
                    blocked[1 + random.Next(nodes.Length - 1), 1 + random.Next(nodes.Length - 1)] = true;
                Schedule(100 + random.Next(600), new SimEvent(SimEventKind.Heal, 0));
                break;
            case 7:
                var paused = All.ElementAt(random.Next(nodes.Length - 1));
                paused.PausedUntil = Math.Max(paused.PausedUntil, now + 30 + random.Next(400));
                break;
            case 8:
                OnHealEvent();
                break;
            case 10:
            case 11:
                // Isolate the leader just after a cycle that proposed several slots: of the messages in flight some
                // arrive and some are cut, which is how a follower ends up with slot t + 1 but not slot t.
                if (leader is not null)
                    leader.IsolateAfterNextCycle = 1 + random.Next(MaxIsolateDelay);
                break;
            case 9:
                // Fast restart of the leader: it comes back before the followers' election timeouts.
                if (leader is not null && leader.IsUp)
                {
                    Crash(leader);
                    Schedule(5 + random.Next(60), new SimEvent(SimEventKind.Restart, leader.Id));
                }
                break;
        }
    }

        private const int MaxIsolateDelay = 12;

    private void CrashFor(SimNode node)
    {
        if (!node.IsUp)
            return;
        Crash(node);
        Schedule(30 + random.Next(500), new SimEvent(SimEventKind.Restart, node.Id));
    }

    private void Crash(SimNode node)
    {
        // Everything volatile dies with the process: the replica, the application, queued ready cycles.
        counters.Crashes++;
        node.Replica = null;
        node.ReadyScheduled = false;
        node.CrashAfterNextCycle = false;
    }

    private void Restart(SimNode node)
    {
        if (node.IsUp)
            return;
        node.Incarnation++;
        RebuildApplication(node, node.SnapshotLog);
        var durable = new DurableState(
            node.DurablePromised, [.. node.DurableAccepted.Values], node.SnapshotSlot, [.. node.ConfigurationHistory]);
        node.Replica = NewReplica(node, durable);
        CheckRestart(node);
    }

    private void SplitRandomly()
    {
        var side = new bool[nodes.Length];
        for (var id = 1; id < nodes.Length; id++)
            side[id] = random.Next(2) == 0;
        for (var a = 1; a < nodes.Length; a++)
        {
            for (var b = 1; b < nodes.Length; b++)
            {
                if (side[a] != side[b])
                    blocked[a, b] = true;
            }
        }
        Schedule(100 + random.Next(600), new SimEvent(SimEventKind.Heal, 0));
    }

    private void Isolate(int id)
    {
        for (var other = 1; other < nodes.Length; other++)
        {
            if (other != id)
                blocked[id, other] = blocked[other, id] = true;
        }
        Schedule(100 + random.Next(600), new SimEvent(SimEventKind.Heal, 0));
    }

    private void OnHealEvent()
    {
        if (!finalEpisode)
            HealLinks();
    }

    private void HealLinks() => Array.Clear(blocked);

    private void StartLivenessPhase()
    {
        faultsOn = false;
        livenessDeadline = now + livenessUnits;
        HealLinks();
        foreach (var node in All)
        {
            node.PausedUntil = 0;
            node.CrashAfterNextCycle = false;
            node.IsolateAfterNextCycle = 0;
            if (!node.IsUp)
                Schedule(1 + random.Next(20), new SimEvent(SimEventKind.Restart, node.Id));
        }
    }
}
