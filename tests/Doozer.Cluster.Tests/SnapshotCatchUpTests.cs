using System.Net;
using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Cluster.Tests;

/// <summary>
/// A node that falls behind further than the log its peers still hold catches up from a snapshot (ARCHITECTURE.md 3).
/// With a small --snapshot-count the others cut snapshots and truncate their logs while it is down, so a restart can
/// only catch up by fetching and installing one over the peer channel.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SnapshotCatchUpTests(ITestOutputHelper output)
{
    private const int Files = 150;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public Task A_node_restarted_after_the_others_truncated_their_logs_catches_up_from_a_snapshot() =>
        Scenario.RunAsync(output, new DoozerClusterOptions { Voters = 3, Durable = true, ExtraFlags = ["--snapshot-count", "10"] }, async cluster =>
        {
            var leader = await cluster.LeaderAsync();
            var behind = cluster.UpNodes.First(n => n != leader);
            cluster.Kill(behind);
            // One write at a time, so each takes its own slot: the others snapshot and truncate every 10 slots.
            for (var i = 0; i < Files; i++)
                await Scenario.PutUntilAcceptedAsync(Http, new Uri(leader.Url, $"/tree/snap/k{i:D3}"), () => new StringContent($"value {i}"), TimeSpan.FromSeconds(15));
            var leaderRev = await ClusterChecks.RevAsync(leader.Url);
            cluster.Note($"{Files} writes while {behind.Name} was down; the leader is at rev {leaderRev}");

            await cluster.RestartAsync(behind);
            await Scenario.WaitCaughtUpAsync(behind, leaderRev, TimeSpan.FromSeconds(30));
            Assert.Contains("Installed a snapshot at slot", behind.Log);

            // Its own state, read locally, is the leader's: every file with the same value and revision.
            for (var i = 0; i < Files; i++)
            {
                var path = $"/tree/snap/k{i:D3}?consistency=stale";
                var (want, wantTag) = await ReadAsync(leader, path);
                var (got, gotTag) = await ReadAsync(behind, path);
                Assert.Equal($"value {i}", want);
                Assert.Equal(want, got);
                Assert.Equal(wantTag, gotTag);
            }
            // And it takes part again: a write through it is applied everywhere.
            using var after = await Http.PutAsync(new Uri(behind.Url, "/tree/snap/after"), new StringContent("after"));
            Assert.True(after.IsSuccessStatusCode, $"write through {behind.Name}: {after.StatusCode}");
            await cluster.WaitHealthyAsync();
        });

    private static async Task<(string Value, string? ETag)> ReadAsync(ClusterNode node, string path)
    {
        using var response = await Http.GetAsync(new Uri(node.Url, path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync(), response.Headers.ETag?.Tag);
    }
}
