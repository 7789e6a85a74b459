namespace Doozer.Consensus.Tests.Simulation;

// The caller's side of the contract: the tiny replicated state machine (applied log, request-id dedupe, the
// configuration as data), snapshots and snapshot installation.
internal sealed partial class Simulation
{
    private const byte ConfigurationMarker = 0xC0;
    private const byte Promote = 1;
    private const byte Demote = 2;

    // Entries kept below the applied slot when compacting, so both fetch and snapshot catch-up get exercised.
    private const int KeepBelowSnapshot = 3;

    private void Apply(SimNode node, DecidedSlot slot)
    {
        if (slot.Slot != node.Applied + 1)
        {
            Violation($"prefix: n{node.Id} got slot {slot.Slot} to apply after slot {node.Applied}");
            return;
        }
        CheckDecision(node, slot.Slot, slot.Value);
        node.AppliedLog.Add(slot.Value);
        ApplyCommands(node, slot.Slot, slot.Value, node.Replica);
    }

    private void ApplyCommands(SimNode node, long slot, SlotValue value, Replica? report)
    {
        var configuration = node.Configuration;
        foreach (var command in value.Commands)
        {
            // Exactly once: a command re-proposed after a leader change may be decided twice; it takes effect once.
            if (!node.AppliedRequests.Add(command.RequestId))
                continue;
            var payload = command.Payload.Span;
            if (payload.Length == 3 && payload[0] == ConfigurationMarker)
                configuration = Change(configuration, payload[1], payload[2]);
        }
        if (!ReferenceEquals(configuration, node.Configuration))
        {
            node.Configuration = configuration;
            node.ConfigurationHistory.Add(new ConfigurationChange(slot, configuration));
            if (report is not null)
            {
                counters.ConfigurationChanges++;
                report.ReportConfiguration(slot, configuration);
            }
        }
    }

    private static Configuration Change(Configuration current, byte operation, int node)
    {
        var voters = current.Voters.ToList();
        var learners = current.Learners.ToList();
        if (operation == Promote && learners.Contains(node) && voters.Count < 5)
        {
            learners.Remove(node);
            voters.Add(node);
            return new Configuration(voters, learners);
        }
        if (operation == Demote && voters.Contains(node) && voters.Count > 3)
        {
            voters.Remove(node);
            learners.Add(node);
            return new Configuration(voters, learners);
        }
        return current;
    }

    private void RebuildApplication(SimNode node, List<SlotValue> log)
    {
        node.AppliedLog = [.. log];
        node.AppliedRequests.Clear();
        node.Configuration = initial;
        node.ConfigurationHistory.Clear();
        node.ConfigurationHistory.Add(new ConfigurationChange(0, initial));
        for (var i = 0; i < log.Count; i++)
            ApplyCommands(node, i + 1, log[i], null);
    }

    private void MaybeTakeSnapshot(SimNode node)
    {
        if (node.Applied - node.SnapshotSlot < mix.SnapshotEvery + KeepBelowSnapshot)
            return;
        var slot = node.Applied - KeepBelowSnapshot;
        node.SnapshotLog = node.AppliedLog.GetRange(0, (int)slot);
        node.SnapshotSlot = slot;
        foreach (var key in node.DurableAccepted.Keys.Where(k => k <= slot).ToList())
            node.DurableAccepted.Remove(key);
        node.Replica!.Compact(slot);
    }

    private void TryInstallSnapshot(SimNode node, SnapshotRequest request)
    {
        var source = nodes[request.From];
        // The transfer needs the source up and a link from it; otherwise the replica asks again later.
        if (!source.IsUp || blocked[source.Id, node.Id] || source.SnapshotSlot <= node.Applied)
            return;
        RebuildApplication(node, source.SnapshotLog);
        node.SnapshotLog = [.. source.SnapshotLog];
        node.SnapshotSlot = source.SnapshotSlot;
        foreach (var key in node.DurableAccepted.Keys.Where(k => k <= node.SnapshotSlot).ToList())
            node.DurableAccepted.Remove(key);
        node.Replica!.InstallSnapshot(node.SnapshotSlot, [.. node.ConfigurationHistory]);
        counters.SnapshotsInstalled++;
    }

    private Configuration ConfigurationAt(SimNode node, long slot)
    {
        var history = node.ConfigurationHistory;
        for (var i = history.Count - 1; i > 0; i--)
        {
            if (history[i].AppliedSlot + mix.Alpha <= slot)
                return history[i].Configuration;
        }
        return history[0].Configuration;
    }
}
