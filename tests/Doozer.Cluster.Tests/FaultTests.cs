using System.Diagnostics;
using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Cluster.Tests;

/// <summary>
/// One fault each, on a fresh 3-voter durable cluster, under load from six clients (two per node): the history is
/// linearizable per path, no acknowledged write is lost, acknowledged revisions are unique and in real-time order,
/// the replicas agree; and writes keep flowing wherever a majority is.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FaultTests(ITestOutputHelper output)
{
    private static readonly DoozerClusterOptions Durable3 = new() { Voters = 3, Durable = true };

    [Fact]
    public Task Kill_9_of_a_follower_then_restart() => Scenario.RunAsync(output, Durable3, cluster =>
        Scenario.LoadAroundAsync(cluster, output, async _ =>
        {
            var leader = await cluster.LeaderAsync();
            // From the same look-up as the leader: leadership may move between two look-ups.
            var follower = cluster.UpNodes.First(n => n != leader);
            cluster.Kill(follower);
            // The majority goes on without it.
            await Scenario.ProbeWriteAsync(leader, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(5));
            await Task.Delay(Scenario.Hold);
            var id = follower.Id;
            await cluster.RestartAsync(follower);
            Assert.Equal(id, follower.Id);
            await cluster.WaitHealthyAsync();
        }));

    [Fact]
    public Task Kill_9_of_the_leader_then_restart_and_writes_flow_again_quickly() => Scenario.RunAsync(output, Durable3, cluster =>
        Scenario.LoadAroundAsync(cluster, output, async round =>
        {
            var leader = await cluster.LeaderAsync();
            var survivor = cluster.UpNodes.First(n => n != leader);
            var killed = Stopwatch.GetTimestamp();
            cluster.Kill(leader);
            var failover = await Scenario.ProbeWriteAsync(survivor, killed, TimeSpan.FromSeconds(15));
            var next = await cluster.LeaderAsync();
            output.WriteLine($"round {round}: writes flow again {failover.TotalMilliseconds:F0} ms after the leader {leader.Name} was killed; new leader {next.Name}");
            cluster.Note($"failover took {failover.TotalMilliseconds:F0} ms");
            // The target is 1 s; a loaded 2-core machine gets some slack, a broken election does not.
            Assert.True(failover < TimeSpan.FromSeconds(5), $"writes stopped for {failover} after the leader was killed");
            await Task.Delay(Scenario.Hold);
            await cluster.RestartAsync(leader);
            await cluster.WaitHealthyAsync();
        }));

    [Fact]
    public Task Kill_9_of_every_node_at_once_then_restart_keeps_every_acknowledged_write() => Scenario.RunAsync(output, Durable3, cluster =>
        Scenario.LoadAroundAsync(cluster, output, async _ =>
        {
            var ids = cluster.Nodes.Select(n => n.Id).ToList();
            var before = await ClusterChecks.RevAsync(cluster.Nodes[0].Url);
            cluster.KillAll();
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await cluster.RestartAllAsync();
            Assert.Equal(ids, cluster.Nodes.Select(n => n.Id).ToList());
            var after = await ClusterChecks.RevAsync(cluster.Nodes[0].Url);
            Assert.True(after >= before, $"the store went back from rev {before} to {after} across a restart");
        }));

    [Fact]
    public Task Kill_9_of_every_node_with_a_long_log_after_the_snapshot_then_restart_elects_a_leader() =>
        Scenario.RunAsync(output, Durable3 with { StartTimeout = TimeSpan.FromSeconds(30) }, async cluster =>
        {
            // ~48 MiB accepted above the last snapshot on every node (the default snapshot is cut after 64 MiB). After a
            // restart nobody knows which of those slots were decided, so the first election recovers all of them: each
            // promise used to carry every accepted value (~48 MiB each way), which took longer than an election timeout
            // to send and read, so every election was overtaken by the next one and no leader was ever elected.
            var leader = await cluster.LeaderAsync();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var value = await WriteMegabytesAsync(http, leader);
            var before = await ClusterChecks.RevAsync(leader.Url);
            cluster.KillAll();
            await cluster.RestartAllAsync();
            var writer = cluster.Nodes[0];
            await Scenario.ProbeWriteAsync(writer, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(20));
            var after = await ClusterChecks.RevAsync(writer.Url);
            Assert.True(after > before, $"the store went back from rev {before} to {after} across a restart");
            // Every acknowledged value is there, whole, read from the tree another node rebuilt from its log once it
            // has applied everything up to the probe.
            var reader = cluster.Nodes[1];
            await Scenario.WaitCaughtUpAsync(reader, after, TimeSpan.FromSeconds(60));
            for (var i = 0; i < 48; i++)
            {
                var read = await http.GetByteArrayAsync(new Uri(reader.Url, $"/tree/big/v{i:D2}?consistency=stale"));
                Assert.True(read.AsSpan().SequenceEqual(value), $"/big/v{i:D2} came back as {read.Length} other bytes");
            }
        });

    [Fact]
    public Task Kill_9_of_the_leader_as_a_follower_48_MiB_behind_resumes_still_elects_a_leader() =>
        Scenario.RunAsync(output, Durable3, async cluster =>
        {
            // If the resumed follower stands first, every promise to it carries the 48 slots of 1 MiB it lacks: more
            // than can be sent and read within an election timeout. Each resend of its Prepare used to restart the
            // other survivor's timer, so that one never stood either: no leader in 10 minutes (by hand). Who stands
            // first is a race, so this passed once on the old code too; ReplicaTests pins the rule down.
            var leader = await cluster.LeaderAsync();
            var behind = cluster.UpNodes.First(n => n != leader);
            var survivor = cluster.UpNodes.First(n => n != leader && n != behind);
            cluster.Pause(behind);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var value = await WriteMegabytesAsync(http, leader);
            var killed = Stopwatch.GetTimestamp();
            cluster.Kill(leader);
            cluster.Resume(behind);
            var failover = await Scenario.ProbeWriteAsync(survivor, killed, TimeSpan.FromSeconds(30));
            cluster.Note($"writes flow again {failover.TotalMilliseconds:F0} ms after the kill");
            // The follower that was behind catches up from the new leader: the last value reads back through it.
            await Scenario.WaitCaughtUpAsync(behind, await ClusterChecks.RevAsync(survivor.Url), TimeSpan.FromSeconds(60));
            var read = await http.GetByteArrayAsync(new Uri(behind.Url, "/tree/big/v47?consistency=stale"));
            Assert.True(read.AsSpan().SequenceEqual(value), $"/big/v47 came back through {behind.Name} as {read.Length} other bytes");
            await cluster.RestartAsync(leader);
            await cluster.WaitHealthyAsync();
        });

    [Fact]
    public Task Sigstop_of_a_follower_then_sigcont() => Scenario.RunAsync(output, Durable3, cluster =>
        Scenario.LoadAroundAsync(cluster, output, async _ =>
        {
            var leader = await cluster.LeaderAsync();
            // From the same look-up as the leader: leadership may move between two look-ups.
            var follower = cluster.UpNodes.First(n => n != leader);
            cluster.Pause(follower);
            try
            {
                await Scenario.ProbeWriteAsync(leader, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(5));
                await Task.Delay(Scenario.Hold);
            }
            finally
            {
                cluster.Resume(follower);
            }
            await cluster.WaitHealthyAsync();
        }));

    [Fact]
    public Task Sigstop_of_the_leader_then_sigcont() => Scenario.RunAsync(output, Durable3, cluster =>
        Scenario.LoadAroundAsync(cluster, output, async _ =>
        {
            var leader = await cluster.LeaderAsync();
            var others = cluster.UpNodes.Where(n => n != leader).ToList();
            var paused = Stopwatch.GetTimestamp();
            cluster.Pause(leader);
            try
            {
                var failover = await Scenario.ProbeWriteAsync(others[0], paused, TimeSpan.FromSeconds(15));
                output.WriteLine($"writes flow again {failover.TotalMilliseconds:F0} ms after the leader {leader.Name} was paused");
                await Task.Delay(Scenario.Hold);
            }
            finally
            {
                // The old leader wakes up believing it leads: it must not serve stale reads or lose writes.
                cluster.Resume(leader);
            }
            await cluster.WaitHealthyAsync();
        }));

    [Fact]
    public Task Isolated_follower_then_heal() => Scenario.RunAsync(output, Durable3, cluster =>
        Scenario.LoadAroundAsync(cluster, output, async _ =>
        {
            var leader = await cluster.LeaderAsync();
            // From the same look-up as the leader: leadership may move between two look-ups.
            var follower = cluster.UpNodes.First(n => n != leader);
            cluster.Isolate(follower);
            await Scenario.ProbeWriteAsync(leader, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(5));
            await Scenario.AssertCutOffAsync(leader, follower);
            await Task.Delay(Scenario.PartitionHold);
            cluster.Heal();
            await cluster.WaitHealthyAsync();
        }));

    [Fact]
    public Task Isolated_leader_then_heal() => Scenario.RunAsync(output, Durable3, cluster =>
        Scenario.LoadAroundAsync(cluster, output, async _ =>
        {
            var leader = await cluster.LeaderAsync();
            var majority = cluster.UpNodes.Where(n => n != leader).ToList();
            var isolated = Stopwatch.GetTimestamp();
            cluster.Isolate(leader);
            var failover = await Scenario.ProbeWriteAsync(majority[0], isolated, TimeSpan.FromSeconds(15));
            var next = await cluster.LeaderAsync(among: majority);
            output.WriteLine($"the majority side elected {next.Name} and took writes {failover.TotalMilliseconds:F0} ms after {leader.Name} was isolated");
            Assert.NotEqual(leader, next);
            await Scenario.AssertCutOffAsync(next, leader);
            // The old leader is alone: it must refuse promptly, not hang and not acknowledge.
            var refused = await Scenario.SendAsync(HttpMethod.Put, new Uri(leader.Url, "/tree/probe/isolated"), "x");
            output.WriteLine($"a write to the isolated old leader: {(int)refused.Status} after {refused.Took.TotalMilliseconds:F0} ms: {refused.Body}");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.Status);
            Assert.True(refused.Took < TimeSpan.FromSeconds(10), $"the isolated node took {refused.Took} to refuse a write");
            await Task.Delay(Scenario.PartitionHold > refused.Took ? Scenario.PartitionHold - refused.Took : TimeSpan.Zero);
            cluster.Heal();
            await cluster.WaitHealthyAsync();
        }));

    [Fact]
    public Task One_way_partition_from_the_leader_to_a_follower() => Scenario.RunAsync(output, Durable3, cluster =>
        Scenario.LoadAroundAsync(cluster, output, async _ =>
        {
            var leader = await cluster.LeaderAsync();
            // From the same look-up as the leader: leadership may move between two look-ups.
            var follower = cluster.UpNodes.First(n => n != leader);
            var third = cluster.UpNodes.First(n => n != leader && n != follower);
            // The follower hears nothing from the leader, but the leader still hears it.
            var started = Stopwatch.GetTimestamp();
            cluster.Block(leader, follower);
            await Task.Delay(Scenario.Hold);
            var took = await Scenario.ProbeWriteAsync(third, started, Scenario.Hold + TimeSpan.FromSeconds(10));
            output.WriteLine($"a write through {third.Name} succeeded {took.TotalMilliseconds:F0} ms into the one-way partition");
            cluster.Heal();
            await cluster.WaitHealthyAsync();
        }));

    /// <summary>48 writes of the same random 1 MiB value, /big/v00 to /big/v47, one slot each; returns the value.</summary>
    private static async Task<byte[]> WriteMegabytesAsync(HttpClient http, ClusterNode leader)
    {
        var value = new byte[1024 * 1024];
        Random.Shared.NextBytes(value);
        for (var i = 0; i < 48; i++)
            await Scenario.PutUntilAcceptedAsync(http, new Uri(leader.Url, $"/tree/big/v{i:D2}"), () => new ByteArrayContent(value), TimeSpan.FromSeconds(30));
        return value;
    }

    [Fact]
    public Task Delays_on_every_link_then_a_slow_leader() => Scenario.RunAsync(output, Durable3, cluster =>
        Scenario.LoadAroundAsync(cluster, output, async _ =>
        {
            var leader = await cluster.LeaderAsync();
            cluster.Delay(TimeSpan.FromMilliseconds(30));
            var took = await Scenario.ProbeWriteAsync(leader, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(5));
            output.WriteLine($"with 30 ms on every link a write took {took.TotalMilliseconds:F0} ms");
            await Task.Delay(Scenario.Hold / 2);
            // Close to the election timeout: elections may start; nothing may break.
            cluster.Delay(TimeSpan.FromMilliseconds(250), leader);
            await Task.Delay(Scenario.Hold / 2);
            cluster.Heal();
            await cluster.WaitHealthyAsync();
        }));
}
