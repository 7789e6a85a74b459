using System.Diagnostics;
using System.Net.Http.Json;
using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Tree;
using Doozer.TestKit.Processes;

namespace Doozer.Cluster.Tests;

/// <summary>
/// The checks of TESTING.md tier 4 over one workload's history and the committed log. Each returns the violations
/// it found, as sentences; a test asserts there are none (and the planted-bug tests that there are some).
/// </summary>
public static class ClusterChecks
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// After the faults are healed: reads the committed log of the workload's prefix from every node that is up
    /// (they must agree), reads every path linearizably from every node (recorded in the history), then runs
    /// <see cref="Verify"/>.
    /// </summary>
    public static async Task<List<string>> VerifyClusterAsync(DoozerCluster cluster, Workload workload, Action<string> output)
    {
        var violations = new List<string>();
        var leader = await cluster.LeaderAsync();
        var target = await RevAsync(leader.Url);
        List<LogEvent>? reference = null;
        ClusterNode? referenceNode = null;
        foreach (var node in cluster.UpNodes)
        {
            var log = await CommittedLog.ReadAsync(node.Url, workload.Prefix, target, TimeSpan.FromSeconds(30));
            if (reference is null)
            {
                reference = log;
                referenceNode = node;
            }
            else if (!log.SequenceEqual(reference))
            {
                var first = Enumerable.Range(0, Math.Min(log.Count, reference.Count)).FirstOrDefault(i => log[i] != reference[i], Math.Min(log.Count, reference.Count));
                violations.Add($"replicas disagree: {node.Name} has {log.Count} changes, {referenceNode!.Name} {reference.Count}; first difference at #{first}: " +
                    $"{(first < log.Count ? log[first] : "none")} vs {(first < reference.Count ? reference[first] : "none")}");
            }
        }
        var finalReads = new List<(string Node, string Path, FileResult Result)>();
        foreach (var node in cluster.UpNodes)
        {
            foreach (var (path, result) in await workload.ReadAllAsync(1000 + node.Number, node.Url))
                finalReads.Add((node.Name, path, result));
        }
        var clock = Stopwatch.StartNew();
        violations.AddRange(Verify(workload.History.ToOperations(), workload.Acked, workload.Written, workload.Paths, reference ?? [], finalReads, out var check));
        output($"{workload.Summary}; committed log: {reference?.Count ?? 0} changes up to rev {target}; " +
            $"linearizability: {check.Describe().Split('\n')[0]} (checked in {clock.ElapsedMilliseconds} ms)");
        if (workload.Unexpected.Count > 0)
            violations.Add($"unexpected answers: {string.Join("; ", workload.Unexpected.Take(10))}");
        return violations;
    }

    /// <summary>A linearizable <c>GET /rev</c>.</summary>
    public static async Task<long> RevAsync(Uri node) =>
        (await Http.GetFromJsonAsync<RevAnswer>(new Uri(node, "/rev")))!.Rev;

    /// <summary>
    /// The pure checks: the history is linearizable per path; no acknowledged write is lost (the committed log has it
    /// at the revision it was acknowledged with); acknowledged revisions are unique and follow real-time order; the log
    /// is ordered and unique, holds only values clients wrote and each at most once; the final reads show the log's
    /// last change of each path.
    /// </summary>
    public static List<string> Verify(
        IReadOnlyList<Operation<FileInput, FileResult>> history,
        IReadOnlyList<AckedWrite> acked,
        IReadOnlyDictionary<string, string> written,
        IReadOnlyList<string> paths,
        IReadOnlyList<LogEvent> log,
        IReadOnlyList<(string Node, string Path, FileResult Result)> finalReads,
        out CheckOutcome<FileInput, FileResult> check)
    {
        var violations = new List<string>();

        check = LinearizabilityChecker.Check(DoozerFileModel.Instance, history, new CheckOptions { TimeLimit = TimeSpan.FromSeconds(90) });
        if (check.Result != CheckResult.Ok)
            violations.Add("linearizability: " + check.Describe());

        // The committed log: revisions strictly increase; each value written at most once, by a client, on its path.
        var seenValues = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < log.Count; i++)
        {
            var change = log[i];
            if (i > 0 && change.Rev <= log[i - 1].Rev)
                violations.Add($"committed log out of order: {log[i - 1]} then {change}");
            if (!paths.Contains(change.Path))
                continue;
            if (change.IsDelete)
                continue;
            if (change.Value is null || !written.TryGetValue(change.Value, out var path) || path != change.Path)
                violations.Add($"committed log holds a value no client wrote there: {change}");
            else if (!seenValues.Add(change.Value))
                violations.Add($"a write was applied twice: {change}");
        }

        // No acknowledged write lost, and each at the revision it was acknowledged with.
        var byRev = new Dictionary<long, LogEvent>();
        foreach (var change in log)
            byRev.TryAdd(change.Rev, change);
        foreach (var write in acked)
        {
            if (write.Rev <= 0)
            {
                if (!write.IsDelete)
                    violations.Add($"acknowledged write without a revision: {write}");
                continue;
            }
            if (!byRev.TryGetValue(write.Rev, out var change))
                violations.Add($"acknowledged write lost: {write} is not in the committed log");
            else if (change.Path != write.Path || change.IsDelete != write.IsDelete || (!write.IsDelete && change.Value != write.Value))
                violations.Add($"acknowledged write lost: {write}, but the committed log has {change} at that revision");
        }

        // Acknowledged revisions are unique and follow real-time order.
        var withRev = acked.Where(a => a.Rev > 0).OrderBy(a => a.Call).ToList();
        foreach (var group in withRev.GroupBy(a => a.Rev).Where(g => g.Count() > 1))
            violations.Add($"revision {group.Key} acknowledged twice: {string.Join(" and ", group)}");
        var orderBroken = 0;
        for (var i = 0; i < withRev.Count && orderBroken < 10; i++)
        {
            for (var j = 0; j < withRev.Count && orderBroken < 10; j++)
            {
                var a = withRev[i];
                var b = withRev[j];
                if (a.Return < b.Call && a.Rev >= b.Rev)
                {
                    orderBroken++;
                    violations.Add($"real-time order broken: {a} returned before {b} was called, with a revision not below it");
                }
            }
        }

        // The final reads show the last committed change of each path.
        foreach (var (node, path, result) in finalReads)
        {
            var last = log.LastOrDefault(e => e.Path == path);
            var expected = last is null || last.IsDelete ? "404" : $"\"{last.Value}\" @{last.Rev}";
            var actual = result.Kind == FileResultKind.Found ? $"\"{result.Value}\" @{result.Rev}" : result.Kind == FileResultKind.NotFound ? "404" : result.ToString();
            if (expected != actual)
                violations.Add($"final read of {path} on {node} is {actual}, the committed log ends with {expected}");
        }
        return violations;
    }

    private sealed record RevAnswer(long Rev);
}
