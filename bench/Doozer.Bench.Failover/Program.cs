using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

// The failover probe of bench/vs-etcd.sh, for Doozer (PUT /tree/KEY, raw body) and etcd's v2 API (PUT /v2/keys/KEY,
// form value=): W writers write 16-byte values steadily, each to its own key, spread over every node (a writer whose
// request fails or times out moves to the next node, after 10 ms); after --before-s the probe kills the process
// --kill-pid with SIGKILL (the leader), goes on for --after-s, then reports how long writes stopped succeeding.
//
// Output: one human line per figure, and one "key=value ..." line (prefix "result:") for the script to parse.
var ci = CultureInfo.InvariantCulture;
if (Options.Parse(args) is not { } opts)
{
    Console.Error.WriteLine("""
        usage: Doozer.Bench.Failover --kind doozer|etcd --urls URL,URL,... --kill-pid PID
               [--writers 16] [--before-s 3] [--after-s 8] [--timeout-ms 1000]
        """);
    return 2;
}

using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = int.MaxValue,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    ConnectTimeout = TimeSpan.FromMilliseconds(opts.TimeoutMs),
    UseProxy = false,
};
using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
var target = new Target(opts.Kind, http);
return await Failover(opts, target);

async Task<int> Failover(Options o, Target t)
{
    if (o.KillPid <= 0)
    {
        Console.Error.WriteLine("failover: --kill-pid is required");
        return 2;
    }
    var successes = new List<(long Sent, long Done)>[o.Writers];
    var failures = new Dictionary<string, int>();
    var start = Stopwatch.GetTimestamp();
    var killAt = 0L;
    using var stop = new CancellationTokenSource();
    var value = Encoding.ASCII.GetBytes("0123456789abcdef");

    async Task Writer(int w)
    {
        var mine = successes[w] = new List<(long, long)>(100_000);
        var node = w % o.Urls.Length;
        while (!stop.IsCancellationRequested)
        {
            var sent = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                timeout.CancelAfter(o.TimeoutMs);
                error = await t.WriteAsync(o.Urls[node], $"bench/failover/w{w}", value, timeout.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                error = "timeout";
            }
            catch (HttpRequestException e)
            {
                error = e.HttpRequestError.ToString();
            }
            if (error is null)
            {
                mine.Add((sent, Stopwatch.GetTimestamp()));
                continue;
            }
            lock (failures)
                failures[error] = failures.GetValueOrDefault(error) + 1;
            // Another node next time; a short pause so that a node that fails at once is not hammered.
            node = (node + 1) % o.Urls.Length;
            try
            {
                await Task.Delay(10, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    var writers = Enumerable.Range(0, o.Writers).Select(w => Task.Run(() => Writer(w))).ToArray();
    await Task.Delay(TimeSpan.FromSeconds(o.BeforeSeconds));
    using (var victim = Process.GetProcessById(o.KillPid))
    {
        killAt = Stopwatch.GetTimestamp();
        victim.Kill(); // SIGKILL on Unix
    }
    await Task.Delay(TimeSpan.FromSeconds(o.AfterSeconds));
    var end = Stopwatch.GetTimestamp();
    await stop.CancelAsync();
    await Task.WhenAll(writers);

    var all = successes.SelectMany(s => s).OrderBy(s => s.Done).ToList();
    double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
    var before = all.Count(s => s.Done >= start + Stopwatch.Frequency && s.Done < killAt);
    var beforeRate = before / Math.Max(0.001, Ms(start + Stopwatch.Frequency, killAt) / 1000);
    // Writes succeed again: the first write sent after the kill that succeeded.
    var firstAfter = all.Where(s => s.Sent >= killAt).Select(s => s.Done).DefaultIfEmpty(0).Min();
    var recoveredMs = firstAfter == 0 ? double.NaN : Ms(killAt, firstAfter);
    // The longest stretch without any successful write, from the kill on (in-flight writes included).
    var maxGapMs = 0.0;
    var previous = killAt;
    foreach (var s in all.Where(s => s.Done >= killAt))
    {
        maxGapMs = Math.Max(maxGapMs, Ms(previous, s.Done));
        previous = s.Done;
    }
    maxGapMs = Math.Max(maxGapMs, Ms(previous, end));
    // Throughput once recovered: from one second after recovery to the end.
    var afterFrom = firstAfter == 0 ? end : firstAfter + Stopwatch.Frequency;
    var after = all.Count(s => s.Done >= afterFrom);
    var afterRate = after / Math.Max(0.001, Ms(afterFrom, end) / 1000);
    var errors = string.Join(",", failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}:{f.Value}"));

    Console.WriteLine(string.Create(ci, $"failover: {o.Writers} writers over {o.Urls.Length} nodes; {beforeRate:F0} writes/s before the kill; first write sent after the kill succeeded {recoveredMs:F0} ms after it; longest stretch without a successful write from the kill on {maxGapMs:F0} ms; {afterRate:F0} writes/s from 1 s after recovery; failed requests: {(errors.Length == 0 ? "none" : errors)}"));
    Console.WriteLine(string.Create(ci, $"result: recovered_ms={recoveredMs:F0} max_gap_ms={maxGapMs:F0} before_wps={beforeRate:F0} after_wps={afterRate:F0} errors={(errors.Length == 0 ? "none" : errors)}"));
    return double.IsNaN(recoveredMs) ? 1 : 0;
}

/// <summary>One write request in the dialect of the system under test. Returns null on success, else the reason.</summary>
internal sealed class Target(string kind, HttpClient http)
{
    public async Task<string?> WriteAsync(string baseUrl, string key, byte[] value, CancellationToken cancellationToken)
    {
        using var request = kind == "etcd"
            ? new HttpRequestMessage(HttpMethod.Put, $"{baseUrl}/v2/keys/{key}")
            {
                Content = new FormUrlEncodedContent([new("value", Encoding.ASCII.GetString(value))]),
            }
            : new HttpRequestMessage(HttpMethod.Put, $"{baseUrl}/tree/{key}") { Content = new ByteArrayContent(value) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created
            ? null
            : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>The command line after the subcommand.</summary>
internal sealed record Options(string Kind, string[] Urls, int KillPid, int Writers, double BeforeSeconds, double AfterSeconds, int TimeoutMs)
{
    public static Options? Parse(string[] args)
    {
        string kind = "doozer";
        string[] urls = [];
        int killPid = 0, writers = 16, timeoutMs = 1000;
        double before = 3, after = 8;
        var ci = CultureInfo.InvariantCulture;
        if (args.Length % 2 != 0)
            return null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var v = args[i + 1];
            switch (args[i])
            {
                case "--kind": kind = v; break;
                case "--urls": urls = [.. v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => u.TrimEnd('/'))]; break;
                case "--kill-pid": killPid = int.Parse(v, ci); break;
                case "--writers": writers = int.Parse(v, ci); break;
                case "--before-s": before = double.Parse(v, ci); break;
                case "--after-s": after = double.Parse(v, ci); break;
                case "--timeout-ms": timeoutMs = int.Parse(v, ci); break;
                default: return null;
            }
        }
        return urls.Length == 0 || kind is not ("doozer" or "etcd") ? null
            : new Options(kind, urls, killPid, writers, before, after, timeoutMs);
    }
}
