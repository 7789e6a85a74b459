using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Tree;
using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Cluster.Tests;

/// <summary>
/// The checks can fail. A real history from a healthy in-memory cluster passes them; the same history with a planted
/// stale read, a reused revision or two revisions swapped against real time fails them; and an in-memory cluster
/// (nothing durable: the bug of skipping fsync, taken to the limit) whose nodes are all killed and restarted loses
/// acknowledged writes, which the checks report.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PlantedBugTests(ITestOutputHelper output)
{
    [Fact]
    public Task The_checks_catch_a_stale_read_a_reused_revision_a_real_time_inversion_and_lost_writes() =>
        Scenario.RunAsync(output, new DoozerClusterOptions { Voters = 3, Durable = false }, async cluster =>
        {
            var workload = new Workload(Workload.NewPrefix());
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
                await workload.RunAsync([.. cluster.Nodes.SelectMany(n => new[] { n.Url, n.Url })], stop.Token);
            var clean = await ClusterChecks.VerifyClusterAsync(cluster, workload, output.WriteLine);
            Assert.True(clean.Count == 0, string.Join("\n", clean));

            var leader = await cluster.LeaderAsync();
            var log = await CommittedLog.ReadAsync(leader.Url, workload.Prefix, await ClusterChecks.RevAsync(leader.Url), TimeSpan.FromSeconds(30));
            var history = workload.History.ToOperations();
            var acked = workload.Acked;
            List<string> Check(IReadOnlyList<Operation<FileInput, FileResult>> h, IReadOnlyList<AckedWrite> a) =>
                ClusterChecks.Verify(h, a, workload.Written, workload.Paths, log, [], out _);
            Assert.Empty(Check(history, acked));

            // A stale read: after everything, a read that returns a value some later acknowledged write replaced.
            var writes = acked.Where(w => !w.IsDelete).OrderBy(w => w.Call).ToList();
            var (older, newer) = writes.SelectMany(a => writes.Where(b => b.Path == a.Path && a.Return < b.Call).Select(b => (a, b))).First();
            var end = history.Where(o => !o.OutcomeUnknown).Max(o => o.Return);
            var stale = new Operation<FileInput, FileResult>(99, FileInput.Read(older.Path), end + 1, FileResult.Found(older.Value!, older.Rev), end + 2);
            var staleViolations = Check([.. history, stale], acked);
            output.WriteLine($"planted stale read of {older} (replaced by {newer}): {staleViolations.FirstOrDefault()?.Split('\n')[0]}");
            Assert.Contains(staleViolations, v => v.StartsWith("linearizability", StringComparison.Ordinal));

            // A revision acknowledged twice.
            var reused = acked.Select((w, i) => i == 1 ? w with { Rev = acked[0].Rev } : w).ToList();
            Assert.Contains(Check(history, reused), v => v.Contains("acknowledged twice", StringComparison.Ordinal));

            // Two acknowledged writes in real-time order with their revisions swapped.
            var swapped = acked.Select(w => w == older ? w with { Rev = newer.Rev } : w == newer ? w with { Rev = older.Rev } : w).ToList();
            Assert.Contains(Check(history, swapped), v => v.Contains("real-time order broken", StringComparison.Ordinal));

            // Nothing durable, every node killed: the acknowledged writes are gone, and the checks must say so.
            cluster.KillAll();
            await cluster.RestartAllAsync();
            var lost = await ClusterChecks.VerifyClusterAsync(cluster, workload, output.WriteLine);
            output.WriteLine($"after kill -9 of every in-memory node: {lost.Count(v => v.Contains("acknowledged write lost", StringComparison.Ordinal))} lost writes reported");
            Assert.Contains(lost, v => v.Contains("acknowledged write lost", StringComparison.Ordinal));
            Assert.Contains(lost, v => v.StartsWith("linearizability", StringComparison.Ordinal));
        });
}
