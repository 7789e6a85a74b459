using Doozer.Server.Replication;
using Doozer.Server.Watches;
using Prometheus;

namespace Doozer.Server.Hosting;

/// <summary>
/// The node's Prometheus figures, in a registry of its own (so that several nodes in one test process never share
/// counters): HTTP requests through prometheus-net's middleware, and the store's and the log's figures read at scrape time.
/// </summary>
public sealed class NodeMetrics
{
    public NodeMetrics(AppliedTree tree, WatchHub watches, ClusterLog log)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        var rev = factory.CreateGauge("doozer_store_revision", "The store revision this node has applied.");
        var oldest = factory.CreateGauge("doozer_store_oldest_revision", "The lowest revision still in the history window.");
        var applied = factory.CreateGauge("doozer_commands_applied", "Commands applied since the node started, no-ops included.");
        var streams = factory.CreateGauge("doozer_watch_streams", "Watch streams open now.");
        // Commands per slot (doozer_commands_applied / doozer_slots_applied) is how well writes are batched.
        var slots = factory.CreateGauge("doozer_slots_applied", "Consensus slots applied since the node started.");
        var hasLeader = factory.CreateGauge("doozer_has_leader", "1 when this node knows a leader, else 0.");
        var isLeader = factory.CreateGauge("doozer_is_leader", "1 when this node is the leader, else 0.");
        var leaderChanges = factory.CreateGauge("doozer_leader_changes_seen", "Times this node has seen the leader change since it started.");
        Registry.AddBeforeCollectCallback(() =>
        {
            rev.Set(tree.Rev);
            oldest.Set(tree.Store.OldestRev);
            applied.Set(tree.CommandsApplied);
            streams.Set(watches.OpenStreams);
            slots.Set(log.SlotsApplied);
            hasLeader.Set(log.LeaderId is null ? 0 : 1);
            isLeader.Set(log.IsLeader ? 1 : 0);
            leaderChanges.Set(log.LeaderChanges);
        });
    }

    public CollectorRegistry Registry { get; }
}
