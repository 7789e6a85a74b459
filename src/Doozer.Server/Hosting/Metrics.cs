using Doozer.Server.Replication;
using Doozer.Server.Watches;
using Prometheus;

namespace Doozer.Server.Hosting;

/// <summary>
/// The node's Prometheus figures, in a registry of its own (so that several nodes in one test process never share
/// counters): HTTP requests through prometheus-net's middleware, and the store's figures read at scrape time.
/// </summary>
public sealed class NodeMetrics
{
    public NodeMetrics(AppliedTree tree, WatchHub watches)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        var rev = factory.CreateGauge("doozer_store_revision", "The store revision this node has applied.");
        var oldest = factory.CreateGauge("doozer_store_oldest_revision", "The lowest revision still in the history window.");
        var applied = factory.CreateGauge("doozer_commands_applied", "Commands applied since the node started, no-ops included.");
        var streams = factory.CreateGauge("doozer_watch_streams", "Watch streams open now.");
        Registry.AddBeforeCollectCallback(() =>
        {
            rev.Set(tree.Rev);
            oldest.Set(tree.Store.OldestRev);
            applied.Set(tree.CommandsApplied);
            streams.Set(watches.OpenStreams);
        });
    }

    public CollectorRegistry Registry { get; }
}
