using System.Diagnostics;
using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Cluster.Tests;

/// <summary>
/// Original doozer's fire drill (ARCHITECTURE.md section 4): three voters and a learner with <c>--evict-after 2</c>;
/// a voter is killed, its slot is emptied, the learner claims it, and writes keep succeeding. Then a second original
/// voter is killed: writes still succeed, which they can only if the former learner really votes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FireDrillTests(ITestOutputHelper output)
{
    [Fact]
    public Task A_learner_takes_the_slot_of_a_killed_voter_and_writes_keep_succeeding() =>
        Scenario.RunAsync(output, new DoozerClusterOptions { Voters = 3, Learners = 1, Durable = true, EvictAfterSeconds = 2 }, async cluster =>
        {
            var learner = cluster.Nodes[3];
            var status = await DoozerCluster.StatusAsync(learner);
            Assert.Equal("learner", status!.Members.Single(m => m.Id == learner.Id).Role);

            await Scenario.LoadAroundAsync(cluster, output, async round =>
            {
                if (round > 1)
                    return;
                var leader = await cluster.LeaderAsync();
                var victim = cluster.Nodes.Take(3).First(n => n != leader);
                var killed = Stopwatch.GetTimestamp();
                cluster.Kill(victim);
                ClusterStatus? seen = null;
                await WaitUntilAsync(async () =>
                {
                    seen = await DoozerCluster.StatusAsync(leader);
                    return seen is not null
                        && seen.Members.All(m => m.Id != victim.Id)
                        && seen.Members.Any(m => m.Id == learner.Id && m.IsVoter)
                        && seen.Voters == 3;
                }, TimeSpan.FromSeconds(30), () => $"the learner never replaced {victim.Name}: {seen}");
                var replaced = Stopwatch.GetElapsedTime(killed);
                output.WriteLine($"{learner.Name} became a voter in place of {victim.Name} {replaced.TotalMilliseconds:F0} ms after the kill");
                cluster.Note($"{learner.Name} took the slot of {victim.Name}");

                // Only leader + former learner are left of the three voters: a majority only if the learner votes.
                var second = cluster.Nodes.Take(3).First(n => n != leader && n != victim);
                cluster.Kill(second);
                var took = await Scenario.ProbeWriteAsync(learner, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(10));
                output.WriteLine($"with {second.Name} killed too, a write through {learner.Name} took {took.TotalMilliseconds:F0} ms");
            }, nodes: cluster.Nodes, settle: () => cluster.LeaderAsync());
        });

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > within)
                throw new TimeoutException(describe());
            await Task.Delay(100);
        }
    }
}
