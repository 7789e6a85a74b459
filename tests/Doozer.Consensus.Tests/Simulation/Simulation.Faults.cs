namespace Doozer.Consensus.Tests.Simulation;

// Faults: crashes (losing everything not persisted), pauses, partitions (symmetric, asymmetric, leader isolation),
// and the liveness phase that heals them all.
internal sealed partial class Simulation
{
    private void InjectFault()
    {
        if (!faultsOn)
            return;
        Schedule(1 + random.Next(mix.FaultEvery * 2), new SimEvent(SimEventKind.Fault, 0));
        var leader = All.FirstOrDefault(n => n.Replica?.Role == Role.Leader);
        switch (random.Next(10))
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
                HealLinks();
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
            if (!node.IsUp)
                Schedule(1 + random.Next(20), new SimEvent(SimEventKind.Restart, node.Id));
        }
    }
}
