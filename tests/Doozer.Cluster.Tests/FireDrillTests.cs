using System.Diagnostics;
using System.Text.RegularExpressions;
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

    [Fact]
    public Task A_voter_evicted_while_cut_off_does_not_depose_the_leader_when_it_returns() =>
        Scenario.RunAsync(output, new DoozerClusterOptions { Voters = 3, Learners = 1, Durable = true, EvictAfterSeconds = 2 }, async cluster =>
        {
            var learner = cluster.Nodes[3];
            var leader = await cluster.LeaderAsync();
            var victim = cluster.Nodes.Take(3).First(n => n != leader);
            // Cut off rather than paused: a paused node wakes up to the messages queued for it and may learn of its
            // eviction; a cut-off one hears nothing once the others have dropped it. Cut (connections reset), not
            // blackholed: held bytes would be delivered seconds late at the heal, which no real network does.
            cluster.Isolate(victim, FaultMode.Cut);
            ClusterStatus? seen = null;
            await WaitUntilAsync(async () =>
            {
                seen = await DoozerCluster.StatusAsync(leader);
                return seen is not null && seen.Members.All(m => m.Id != victim.Id) && seen.Members.Any(m => m.Id == learner.Id && m.IsVoter);
            }, TimeSpan.FromSeconds(30), () => $"{victim.Name} was never replaced by {learner.Name}: {seen}");
            cluster.Note($"{victim.Name} evicted while cut off; healing");

            // Back, the victim still believes it votes: with nobody to hear from it stands for election every
            // 300-600 ms (wider as its elections fail). None of its ballots may depose anyone: no other node may
            // promise one. The leader itself may still change meanwhile: on a loaded machine (CI runs the test
            // projects side by side) a leader starved of CPU for an election timeout is rightly replaced, which is the
            // failure detector at work, not the victim (reproduced with four busy loops beside the test: the leader
            // stepped down for want of a quorum, and the two followers stood with ballots of their own). So who
            // promised what is read from the nodes' own logs, where each change of role or leader is logged with the
            // ballot promised, instead of requiring one leader throughout. Writes must flow all along.
            var others = cluster.Nodes.Where(n => n != victim).ToList();
            leader = await cluster.LeaderAsync(among: others);
            cluster.Heal();
            var watch = Stopwatch.StartNew();
            var leaderChanges = new List<string>();
            while (watch.Elapsed < TimeSpan.FromSeconds(4))
            {
                foreach (var node in others)
                {
                    var status = await DoozerCluster.StatusAsync(node);
                    Assert.False(status?.Leader == victim.Id, $"{watch.ElapsedMilliseconds} ms after {victim.Name} came back, {node.Name} follows it");
                    if (status?.Leader != leader.Id)
                        leaderChanges.Add($"{watch.ElapsedMilliseconds} ms: {node.Name} names {status?.Leader ?? (status is null ? "(no answer)" : "none")}");
                }
                // Longer than one election: a load-induced re-election may hold a write up, never stop writes.
                await Scenario.ProbeWriteAsync(others[0], Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(5));
                await Task.Delay(100);
            }
            output.WriteLine(leaderChanges.Count == 0
                ? $"{leader.Name} led throughout the 4 s after {victim.Name} came back"
                : $"the leader changed while {victim.Name} was back (load; the promises are checked below):\n" + string.Join('\n', leaderChanges));

            // The victim's node number, as its ballots carry it: from its own log, where it stood while cut off.
            var victimBallots = OwnBallot.Matches(victim.Log).Select(m => m.Groups["node"].Value).Distinct().ToList();
            Assert.True(victimBallots.Count == 1, $"{victim.Name} never logged the ballot it stood with (or several node numbers: {string.Join(", ", victimBallots)})");
            foreach (var node in others)
            {
                var sinceHeal = node.Log[node.Log.LastIndexOf("### heal the network", StringComparison.Ordinal)..];
                var promisedVictim = Promised.Matches(sinceHeal).Where(m => m.Groups["node"].Value == victimBallots[0]).Select(m => m.Value).ToList();
                Assert.True(promisedVictim.Count == 0, $"{node.Name} promised a ballot of the evicted {victim.Name}: {string.Join("; ", promisedVictim)}");
            }
            var after = await DoozerCluster.StatusAsync(await cluster.LeaderAsync(among: others));
            Assert.DoesNotContain(after!.Members, m => m.Id == victim.Id);
        });

    // The node log's line at each change of role or leader (ClusterLog): "Now Candidate; leader 12; own ballot (3,n45), promised (3,n45)".
    private static readonly Regex OwnBallot = new(@"Now Candidate; .*own ballot \((?<round>\d+),n(?<node>-?\d+)\)");
    private static readonly Regex Promised = new(@"promised \((?<round>\d+),n(?<node>-?\d+)\)");

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
