using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Cluster.Tests;

/// <summary>
/// A watch on the leader, which is killed mid-stream; the watcher resumes on another node with Last-Event-ID and must
/// see every committed change after its start exactly once, in order, with no gap, and every progress bookmark must
/// be honest (everything up to it delivered), compared with the committed log read afterwards from revision 1.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WatchFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public Task A_watch_resumed_on_another_node_after_a_kill_sees_every_committed_change_once_in_order() =>
        Scenario.RunAsync(output, new DoozerClusterOptions { Voters = 3, Durable = true }, async cluster =>
        {
            var workload = new Workload(Workload.NewPrefix());
            var watched = await cluster.LeaderAsync();
            var other = cluster.UpNodes.First(n => n != watched);
            var start = await ClusterChecks.RevAsync(watched.Url);
            using var stop = new CancellationTokenSource();
            var load = workload.RunAsync([.. cluster.Nodes.Where(n => n != watched).SelectMany(n => new[] { n.Url, n.Url })], stop.Token);

            long target = long.MaxValue;
            using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var first = CommittedLog.WatchAsync(watched.Url, workload.Prefix, start + 1, null, _ => false, giveUp.Token);
            await Task.Delay(TimeSpan.FromSeconds(1.5) * Scenario.Rounds);
            cluster.Kill(watched);
            var beforeKill = await first;
            output.WriteLine($"first stream (on {watched.Name}) ended: {beforeKill.Ended}; {beforeKill.Events.Count} changes, last whole revision {beforeKill.LastCompleteRev}");
            Assert.NotEmpty(beforeKill.Events);

            // Resume at once on another node (a new leader may not be elected yet: the stream must still start).
            var second = CommittedLog.WatchAsync(other.Url, workload.Prefix, 0, beforeKill.LastCompleteRev, r => r >= Volatile.Read(ref target), giveUp.Token);
            await Task.Delay(TimeSpan.FromSeconds(2) * Scenario.Rounds);
            await stop.CancelAsync();
            await load;
            var leader = await cluster.LeaderAsync();
            Volatile.Write(ref target, await ClusterChecks.RevAsync(leader.Url));
            var afterKill = await second;
            Assert.True(afterKill.Ended is null, $"the resumed stream on {other.Name} ended early: {afterKill.Ended}");

            var log = await CommittedLog.ReadAsync(other.Url, workload.Prefix, target, TimeSpan.FromSeconds(30));
            var expected = log.Where(e => e.Rev > start).ToList();
            var received = beforeKill.Events.Where(e => e.Rev <= beforeKill.LastCompleteRev).Concat(afterKill.Events).ToList();
            output.WriteLine($"{workload.Summary}; committed after the start: {expected.Count}; received: {received.Count} " +
                $"({beforeKill.Events.Count} before the kill, {afterKill.Events.Count} after, resumed after rev {beforeKill.LastCompleteRev})");
            Assert.True(expected.Count >= 20, $"too few changes to say anything: {expected.Count}");
            var violations = WatchViolations(expected, received, beforeKill, afterKill);
            Assert.True(violations.Count == 0, string.Join("\n", violations));
        });

    /// <summary>Ordered, unique, reliable (exactly the committed log), bookmarks honest.</summary>
    public static List<string> WatchViolations(List<LogEvent> expected, List<LogEvent> received, WatchRead before, WatchRead after)
    {
        var violations = new List<string>();
        for (var i = 1; i < received.Count; i++)
        {
            if (received[i].Rev <= received[i - 1].Rev)
                violations.Add($"out of order or repeated: {received[i - 1]} then {received[i]}");
        }
        var missing = expected.Except(received).ToList();
        var extra = received.Except(expected).ToList();
        if (missing.Count > 0)
            violations.Add($"{missing.Count} committed changes never delivered (a gap), first: {string.Join(", ", missing.Take(5))}");
        if (extra.Count > 0)
            violations.Add($"{extra.Count} delivered changes not in the committed log, first: {string.Join(", ", extra.Take(5))}");
        // A progress bookmark at R: every change up to R was delivered before it.
        var carried = before.Events.Count(e => e.Rev <= before.LastCompleteRev);
        foreach (var (stream, offset) in new[] { (before, 0), (after, carried) })
        {
            foreach (var (rev, eventsBefore) in stream.Progress)
            {
                var due = expected.Count(e => e.Rev <= rev);
                var delivered = stream == before ? eventsBefore : offset + eventsBefore;
                if (delivered < due)
                    violations.Add($"progress bookmark at {rev} came after {delivered} changes, but {due} had committed by then");
            }
        }
        return violations;
    }
}
