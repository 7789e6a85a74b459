using System.Diagnostics;
using System.Globalization;
using System.Net;
using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Cluster.Tests;

/// <summary>The cluster tests run one at a time: each starts several processes on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}

/// <summary>Shared steps of the cluster tests: a cluster whose logs are printed on failure, load around a fault, write probes.</summary>
public static class Scenario
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>
    /// How many fault rounds each test runs (environment DOOZER_CLUSTER_ROUNDS, default 1); more rounds also mean
    /// longer faults.
    /// </summary>
    public static int Rounds =>
        int.TryParse(Environment.GetEnvironmentVariable("DOOZER_CLUSTER_ROUNDS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;

    /// <summary>How long a fault lasts in one round.</summary>
    public static TimeSpan Hold => TimeSpan.FromSeconds(Rounds > 1 ? 4 : 2.5);

    /// <summary>
    /// How long a partition lasts in one round: longer than the server's request timeout (5 s), so that requests on
    /// the cut-off side end without an answer (unknown outcomes) instead of completing once held bytes flow again.
    /// </summary>
    public static TimeSpan PartitionHold => Hold + TimeSpan.FromSeconds(4);

    /// <summary>
    /// Proves a partition holds: a write acknowledged by the majority side after the cut must not reach the node cut
    /// off (its stale <c>/rev</c> stays below the write's revision).
    /// </summary>
    public static async Task AssertCutOffAsync(ClusterNode majorityNode, ClusterNode cutOff)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var written = await PutUntilAcceptedAsync(http, new Uri(majorityNode.Url, "/tree/probe/cut-off"), () => new StringContent("x"), TimeSpan.FromSeconds(15));
        var rev = System.Text.Json.JsonDocument.Parse(written).RootElement.GetProperty("rev").GetInt64();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var stale = await SendAsync(HttpMethod.Get, new Uri(cutOff.Url, "/rev?consistency=stale"));
        var seen = System.Text.Json.JsonDocument.Parse(stale.Body).RootElement.GetProperty("rev").GetInt64();
        Assert.True(seen < rev, $"{cutOff.Name} is at rev {seen} though it is cut off and the majority wrote rev {rev}: the partition leaks");
    }

    /// <summary>
    /// Waits until <paramref name="node"/> has applied revision <paramref name="rev"/>, asking for its local revision
    /// (a stale read, answered at once). A linearizable read on a node still catching up waits for it only up to the
    /// server's request timeout (5 s), and a loaded machine may need longer to move tens of megabytes.
    /// </summary>
    public static async Task WaitCaughtUpAsync(ClusterNode node, long rev, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        long seen;
        while ((seen = await StaleRevAsync(node)) < rev)
        {
            Assert.True(clock.Elapsed < within, $"{node.Name} did not catch up to rev {rev} within {within} (at rev {seen})");
            await Task.Delay(100);
        }
    }

    /// <summary>The revision a node has applied (<c>/rev?consistency=stale</c>), or -1 if it does not answer.</summary>
    public static async Task<long> StaleRevAsync(ClusterNode node)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(node.Url, "/rev?consistency=stale"));
            return response.StatusCode == HttpStatusCode.OK && response.Headers.TryGetValues("Doozer-Rev", out var values)
                ? long.Parse(values.First(), CultureInfo.InvariantCulture)
                : -1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return -1;
        }
    }

    /// <summary>Starts a cluster, runs the body, and on failure prints the fault log and every node's log.</summary>
    public static async Task RunAsync(ITestOutputHelper output, DoozerClusterOptions options, Func<DoozerCluster, Task> body)
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await DoozerCluster.StartAsync(options with { Output = output.WriteLine });
        output.WriteLine($"cluster of {cluster.Nodes.Count} started in {clock.ElapsedMilliseconds} ms: {string.Join(", ", cluster.Nodes)}");
        output.WriteLine($"clock: operation timestamps are Stopwatch ticks ({System.Diagnostics.Stopwatch.Frequency}/s); tick {cluster.Epoch} is 0.000 s in the logs");
        try
        {
            await body(cluster);
            // A node that died on its own is a failure even if everything else held.
            cluster.ThrowIfCrashed();
        }
        catch
        {
            cluster.MarkFailed();
            throw;
        }
        output.WriteLine($"fault log:\n{cluster.Events}");
    }

    /// <summary>
    /// Runs a new workload with two clients per node (of <paramref name="nodes"/>, default all) around
    /// the fault: load first, then <paramref name="fault"/> <see cref="Rounds"/> times, then load on a healed cluster;
    /// then checks everything (<see cref="ClusterChecks.VerifyClusterAsync"/>) and that the load did make progress.
    /// </summary>
    /// <param name="settle">What to wait for before the checks; default: the cluster is whole again.</param>
    public static async Task LoadAroundAsync(
        DoozerCluster cluster, ITestOutputHelper output, Func<int, Task> fault, IReadOnlyList<ClusterNode>? nodes = null, Func<Task>? settle = null)
    {
        var workload = new Workload(Workload.NewPrefix());
        using var stop = new CancellationTokenSource();
        var clients = (nodes ?? cluster.Nodes).SelectMany(n => new[] { n.Url, n.Url }).ToList();
        var load = workload.RunAsync(clients, stop.Token);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            for (var round = 1; round <= Rounds; round++)
            {
                await fault(round);
                cluster.Heal();
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await load;
        }
        await (settle ?? (() => cluster.WaitHealthyAsync()))();
        var violations = await ClusterChecks.VerifyClusterAsync(cluster, workload, output.WriteLine);
        Assert.True(violations.Count == 0, $"{violations.Count} violations:\n" + string.Join("\n", violations));
        Assert.True(workload.Acked.Count >= 10 * Rounds, $"the load made too little progress: {workload.Summary}");
        Assert.True(workload.Reads >= 10 * Rounds, $"the load made too little progress: {workload.Summary}");
    }

    /// <summary>
    /// A write the test needs to succeed: sent again while it is refused with 503 (no leader yet, or a re-election
    /// under way, which a loaded machine can cause at any time) until <paramref name="within"/> has passed; any other
    /// answer fails the test. Returns the accepted answer's body. Callers send the same value each time, so a retry of
    /// a write that did commit changes nothing.
    /// </summary>
    public static async Task<string> PutUntilAcceptedAsync(HttpClient http, Uri url, Func<HttpContent> content, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var put = await http.PutAsync(url, content());
            var body = await put.Content.ReadAsStringAsync();
            if (put.IsSuccessStatusCode)
                return body;
            Assert.True(put.StatusCode == HttpStatusCode.ServiceUnavailable && clock.Elapsed < within,
                $"PUT {url.PathAndQuery} after {clock.ElapsedMilliseconds} ms: {(int)put.StatusCode} {body}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Writes to <paramref name="node"/> until a write succeeds and returns how long that took from
    /// <paramref name="since"/> (a Stopwatch timestamp); throws after <paramref name="within"/>.
    /// </summary>
    public static async Task<TimeSpan> ProbeWriteAsync(ClusterNode node, long since, TimeSpan within)
    {
        var path = $"/probe/{node.Name}";
        var last = "";
        while (Stopwatch.GetElapsedTime(since) < within)
        {
            try
            {
                using var response = await Http.PutAsync(new Uri(node.Url, "/tree" + path), new StringContent("p"));
                if (response.IsSuccessStatusCode)
                    return Stopwatch.GetElapsedTime(since);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.GetType().Name + " " + e.Message;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"no write to {node} succeeded within {within} (last answer: {last})");
    }

    /// <summary>A plain request, answered with its status, a header and the body.</summary>
    public static async Task<(HttpStatusCode Status, string? RetryAfter, string Body, TimeSpan Took)> SendAsync(HttpMethod method, Uri url, string? body = null, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = new StringContent(body);
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Headers.RetryAfter?.ToString(), text, clock.Elapsed);
    }
}
