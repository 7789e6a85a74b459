using System.Text;
using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Client.Tests;

/// <summary>The client against a real 3-node cluster: the node it uses is killed, and it carries on with the others.</summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Writes_reads_and_a_watch_continue_on_another_member_without_gap_or_duplicate_when_their_node_is_killed()
    {
        await using var cluster = await DoozerCluster.StartAsync(new DoozerClusterOptions { Voters = 3, Output = output.WriteLine });
        var leader = await cluster.LeaderAsync();
        var doomed = cluster.Nodes.First(n => n != leader);
        var others = cluster.Nodes.Where(n => n != doomed).Select(n => n.Url);
        var options = new DoozerClientOptions { ReconnectDelay = TimeSpan.FromMilliseconds(50), WatchProgressSeconds = 0.2 };
        options.Nodes.Add(doomed.Url);
        foreach (var url in others)
            options.Nodes.Add(url);
        using var client = new DoozerClient(options);
        using var watcher = new DoozerClient(options);

        var start = await client.SetAsync("/cf/start", "s"u8.ToArray());
        Assert.Equal(doomed.Url, client.CurrentNode);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var received = new List<WatchEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in watcher.WatchAsync("/cf/**", start.Rev, cts.Token))
            {
                lock (received)
                    received.Add(e);
                if (e.Path == "/cf/end")
                    return;
            }
        });
        var expected = new List<(long, string)> { (start.Rev, "/cf/start") };
        for (var i = 0; i < 40; i++)
        {
            if (i == 20)
            {
                // Between two acknowledged writes: no write's outcome is in doubt, so every one must appear exactly once.
                cluster.Kill(doomed);
            }
            var set = await client.SetAsync($"/cf/k{i % 5}", Encoding.UTF8.GetBytes($"v{i}"), cancellationToken: cts.Token);
            Assert.True(set.Succeeded);
            expected.Add((set.Rev, $"/cf/k{i % 5}"));
            Assert.Equal(Encoding.UTF8.GetBytes($"v{i}"), (await client.GetAsync($"/cf/k{i % 5}", cancellationToken: cts.Token))!.Value);
        }
        Assert.NotEqual(doomed.Url, client.CurrentNode);
        var end = await client.SetAsync("/cf/end", Array.Empty<byte>(), cancellationToken: cts.Token);
        expected.Add((end.Rev, "/cf/end"));
        await reading.WaitAsync(cts.Token);
        lock (received)
            Assert.Equal(expected, received.Select(e => (e.Rev, e.Path)));
    }
}
