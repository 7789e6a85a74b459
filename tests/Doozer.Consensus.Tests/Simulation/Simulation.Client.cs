namespace Doozer.Consensus.Tests.Simulation;

// Clients: proposals (with retries under the same request id), membership changes and linearizable reads.
internal sealed partial class Simulation
{
    private long requestSequence;
    private long readSequence;
    private readonly Dictionary<long, long> lastAttempt = [];
    private readonly Dictionary<long, int> attempts = [];

    private SimNode? RandomUpNode()
    {
        var up = All.Where(n => n.IsUp).ToList();
        return up.Count == 0 ? null : up[random.Next(up.Count)];
    }

    private void ClientPropose()
    {
        if (!faultsOn)
            return;
        Schedule(1 + random.Next(mix.ProposeEvery * 2), new SimEvent(SimEventKind.Propose, 0));
        // Sometimes a burst large enough to put several slots in flight at once.
        var burst = random.Next(4) == 0 ? 1 + random.Next(24) : 1 + random.Next(6);
        for (var i = 0; i < burst; i++)
        {
            var payload = new byte[8];
            random.NextBytes(payload);
            payload[0] = 0x01;
            Submit(payload);
        }
    }

    private void ClientChangeConfiguration()
    {
        if (!faultsOn)
            return;
        Schedule(1 + random.Next(mix.ConfigChangeEvery * 2), new SimEvent(SimEventKind.ConfigChange, 0));
        var operation = random.Next(2) == 0 ? Promote : Demote;
        Submit([ConfigurationMarker, operation, (byte)(1 + random.Next(nodes.Length - 1))]);
    }

    private void Submit(byte[] payload)
    {
        var id = ++requestSequence;
        proposed[id] = payload;
        pendingRequests[id] = now;
        Attempt(id);
    }

    private void Attempt(long id)
    {
        lastAttempt[id] = now;
        attempts[id] = attempts.GetValueOrDefault(id) + 1;
        var node = RandomUpNode();
        if (node is null || IsPaused(node))
            return;
        node.Replica!.Propose(id, proposed[id]);
        ScheduleReady(node);
    }

    private void ClientRetry()
    {
        Schedule(100, new SimEvent(SimEventKind.Retry, 0));
        // Clients back off (200, 400, 800, 1600, then every 3200 units): blind fast retries would flood the leader
        // with duplicates faster than a small alpha window can decide them.
        foreach (var id in pendingRequests.Keys.Where(id => now - lastAttempt[id] >= 100L << Math.Min(attempts[id], 5)).ToList())
            Attempt(id);
    }

    private void ClientRead()
    {
        if (!faultsOn)
            return;
        Schedule(1 + random.Next(mix.ReadEvery * 2), new SimEvent(SimEventKind.Read, 0));
        var node = RandomUpNode();
        if (node is null || IsPaused(node))
            return;
        var id = ++readSequence;
        readFloor[id] = maxDecided;
        node.Replica!.RequestRead(id);
        ScheduleReady(node);
    }
}
