using System.Net;
using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Cluster.Tests;

/// <summary>With a majority of voters down, the survivor refuses writes and linearizable reads promptly; stale reads work.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NoQuorumTests(ITestOutputHelper output)
{
    [Fact]
    public Task With_a_majority_down_writes_answer_503_no_quorum_promptly_and_stale_reads_still_work() =>
        Scenario.RunAsync(output, new DoozerClusterOptions { Voters = 3, Durable = true }, async cluster =>
        {
            var leader = await cluster.LeaderAsync();
            var put = await Scenario.SendAsync(HttpMethod.Put, new Uri(leader.Url, "/tree/nq/a"), "before");
            Assert.True(put.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"{put.Status} {put.Body}");
            var survivor = await cluster.FollowerAsync();
            // The survivor must have applied the write before the others go, for the stale read below.
            await Scenario.ProbeWriteAsync(survivor, System.Diagnostics.Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(5));
            foreach (var node in cluster.Nodes.Where(n => n != survivor))
                cluster.Kill(node);

            for (var attempt = 0; attempt < 2; attempt++)
            {
                var write = await Scenario.SendAsync(HttpMethod.Put, new Uri(survivor.Url, "/tree/nq/b"), "during");
                output.WriteLine($"write without quorum: {(int)write.Status} Retry-After {write.RetryAfter} after {write.Took.TotalMilliseconds:F0} ms: {write.Body}");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, write.Status);
                Assert.Contains("/problems/no-quorum", write.Body, StringComparison.Ordinal);
                Assert.False(string.IsNullOrEmpty(write.RetryAfter), "503 without Retry-After");
                Assert.True(write.Took < TimeSpan.FromSeconds(10), $"the write took {write.Took} to be refused");
            }

            var read = await Scenario.SendAsync(HttpMethod.Get, new Uri(survivor.Url, "/tree/nq/a"));
            output.WriteLine($"linearizable read without quorum: {(int)read.Status} after {read.Took.TotalMilliseconds:F0} ms");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, read.Status);
            Assert.Contains("/problems/no-quorum", read.Body, StringComparison.Ordinal);
            Assert.True(read.Took < TimeSpan.FromSeconds(10), $"the read took {read.Took} to be refused");

            var stale = await Scenario.SendAsync(HttpMethod.Get, new Uri(survivor.Url, "/tree/nq/a?consistency=stale"));
            Assert.Equal(HttpStatusCode.OK, stale.Status);
            Assert.Equal("before", stale.Body);
            Assert.True(stale.Took < TimeSpan.FromSeconds(2), $"a stale read took {stale.Took}");

            foreach (var node in cluster.Nodes.Where(n => n != survivor))
                await cluster.RestartAsync(node);
            var back = await Scenario.ProbeWriteAsync(survivor, System.Diagnostics.Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(15));
            output.WriteLine($"writes through the survivor work again {back.TotalMilliseconds:F0} ms after the restarts");
            var after = await Scenario.SendAsync(HttpMethod.Get, new Uri(survivor.Url, "/tree/nq/a"));
            Assert.Equal("before", after.Body);
        });
}
