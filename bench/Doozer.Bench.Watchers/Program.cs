using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

// Watch fan-out check (API.md 3.5): opens N SSE watchers on one glob, then one writer does W writes of 16-byte
// values to one file; every watcher must receive every write exactly once, in order. Also measures the time from
// each write's response (as the writer sees it) to each watcher's event. Exit code 0 only if no watcher missed,
// duplicated or reordered an event.
//
//   dotnet Doozer.Bench.Watchers.dll --url http://127.0.0.1:8046 [--watchers 1000] [--writes 200]
//       [--interval-ms 10] [--glob /**] [--path /bench/watch/k] [--timeout 120] [--write-url URL] [--open-concurrency 50]
//       [--timeline 1]
//
// --write-url sends the writes to another node than the one watched (a cluster's leader; default: --url).
// For 10,000 watchers the process needs that many file descriptors (ulimit -n) and a wide enough ephemeral port range.
var opts = Options.Parse(args);
if (opts is null)
{
    Console.Error.WriteLine("usage: Doozer.Bench.Watchers --url URL [--watchers N] [--writes W] [--interval-ms MS] [--glob G] [--path P] [--timeout S] [--write-url URL] [--open-concurrency N] [--timeline 1]");
    return 2;
}

using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = int.MaxValue,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    ConnectTimeout = TimeSpan.FromSeconds(10),
};
using var http = new HttpClient(handler) { BaseAddress = new Uri(opts.Url), Timeout = Timeout.InfiniteTimeSpan };
var writeUri = new Uri(new Uri(opts.WriteUrl), opts.FilePath.TrimStart('/').Insert(0, "tree/"));
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(opts.TimeoutSeconds));

var watchers = new Watcher[opts.Watchers];
for (var i = 0; i < watchers.Length; i++)
    watchers[i] = new Watcher(opts.Writes);

// Open the streams, at most --open-concurrency connecting at a time; each is open once its first (progress) event arrived.
var openClock = Stopwatch.StartNew();
var tasks = new Task[watchers.Length];
using (var gate = new SemaphoreSlim(opts.OpenConcurrency))
{
    for (var i = 0; i < watchers.Length; i++)
    {
        await gate.WaitAsync(stop.Token);
        var w = watchers[i];
        tasks[i] = w.RunAsync(http, opts.Glob, opts.FilePath, stop.Token);
        _ = w.Opened.Task.ContinueWith(_ => gate.Release(), TaskScheduler.Default);
    }
    try
    {
        await Task.WhenAll(watchers.Select(w => w.Opened.Task)).WaitAsync(stop.Token);
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"watchers: opening the streams failed: {e.GetType().Name}: {e.Message}");
        await stop.CancelAsync();
        return 1;
    }
}
var openSeconds = openClock.Elapsed.TotalSeconds;

// One writer: W sequential PUTs, paced by --interval-ms (0: back to back).
var writeRevs = new long[opts.Writes];
var writeSent = new long[opts.Writes];
var writeDone = new long[opts.Writes];
var value = new ByteArrayContentFactory(16);
var writeClock = Stopwatch.StartNew();
for (var i = 0; i < opts.Writes; i++)
{
    var due = writeClock.Elapsed.TotalMilliseconds;
    writeSent[i] = Stopwatch.GetTimestamp();
    using var response = await http.PutAsync(writeUri, value.Next(), stop.Token);
    writeDone[i] = Stopwatch.GetTimestamp();
    if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created))
    {
        Console.Error.WriteLine($"watchers: write {i} answered {(int)response.StatusCode}");
        return 1;
    }
    writeRevs[i] = long.Parse(response.Headers.GetValues("Doozer-Rev").First(), CultureInfo.InvariantCulture);
    var wait = opts.IntervalMs - (writeClock.Elapsed.TotalMilliseconds - due);
    if (wait > 0)
        await Task.Delay(TimeSpan.FromMilliseconds(wait), stop.Token);
}
var writeSeconds = writeClock.Elapsed.TotalSeconds;

// Wait until every watcher has seen the last write (or the timeout), then close the streams.
var settle = Stopwatch.StartNew();
while (!stop.IsCancellationRequested && watchers.Any(w => w.Count < opts.Writes && !w.Failed))
    await Task.Delay(20, CancellationToken.None);
var settleSeconds = settle.Elapsed.TotalSeconds;
await stop.CancelAsync();
await Task.WhenAll(tasks).ContinueWith(_ => { }, TaskScheduler.Default);

// Verify: each watcher got exactly the written revisions, once each, in order; and measure the delays.
var bad = 0;
var latencies = new List<double>(opts.Watchers * opts.Writes);
var fromSent = new List<double>(opts.Watchers * opts.Writes);
var early = 0L;
// The delay of each tenth of the writes (in write order): whether it stays flat (the watchers keep up) or grows
// (they fall behind and the backlog builds).
var tenths = new List<double>[10];
for (var t = 0; t < tenths.Length; t++)
    tenths[t] = [];
foreach (var w in watchers)
{
    if (!w.Matches(writeRevs, out var why))
    {
        if (bad < 5)
            Console.Error.WriteLine($"watchers: a watcher {why}");
        bad++;
        continue;
    }
    for (var i = 0; i < opts.Writes; i++)
    {
        var ms = Stopwatch.GetElapsedTime(writeDone[i], w.ReceivedAt[i]).TotalMilliseconds;
        if (ms < 0)
            early++;
        latencies.Add(Math.Max(ms, 0));
        tenths[i * 10 / opts.Writes].Add(Math.Max(ms, 0));
        fromSent.Add(Stopwatch.GetElapsedTime(writeSent[i], w.ReceivedAt[i]).TotalMilliseconds);
    }
}
latencies.Sort();
if (opts.Timeline)
{
    // Events received per 100 ms from the first write, and when each write returned: shows stalls and bursts.
    var buckets = new int[100];
    foreach (var w in watchers)
    {
        foreach (var at in w.ReceivedAt)
        {
            var b = (int)(Stopwatch.GetElapsedTime(writeSent[0], at).TotalMilliseconds / 100);
            if (b >= 0 && b < buckets.Length)
                buckets[b]++;
        }
    }
    Console.WriteLine("watchers: timeline, events per 100 ms from the first write: " + string.Join(' ', buckets));
    Console.WriteLine("watchers: timeline, writes returned at (ms): " + string.Join(' ', writeDone.Select(d => Stopwatch.GetElapsedTime(writeSent[0], d).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture))));
}
foreach (var tenth in tenths)
    tenth.Sort();
fromSent.Sort();

static double Pct(List<double> sorted, double p) =>
    sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];

var ci = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(ci, $"watchers: {opts.Watchers} streams on {opts.Glob} at {opts.Url} opened in {openSeconds:F2} s; writes to {opts.WriteUrl};"));
Console.WriteLine(string.Create(ci, $"watchers: {opts.Writes} writes to {opts.FilePath} in {writeSeconds:F2} s (interval {opts.IntervalMs} ms); all delivered {settleSeconds:F2} s after the last write"));
Console.WriteLine(string.Create(ci, $"watchers: {opts.Watchers - bad}/{opts.Watchers} received every write exactly once in order; {latencies.Count} events measured"));
Console.WriteLine(string.Create(ci, $"watchers: write response -> event delay p50 {Pct(latencies, 50):F2} ms, p99 {Pct(latencies, 99):F2} ms, max {Pct(latencies, 100):F2} ms ({early} events arrived before the writer read its response, counted as 0)"));
Console.WriteLine("watchers: write response -> event delay by tenth of the writes, p50/p99 ms: " +
    string.Join(", ", tenths.Select(t => string.Create(ci, $"{Pct(t, 50):F0}/{Pct(t, 99):F0}"))));
Console.WriteLine(string.Create(ci, $"watchers: {watchers.Sum(w => w.Reads)} reads for {watchers.Sum(w => w.Events)} events ({(double)watchers.Sum(w => w.Events) / Math.Max(1, watchers.Sum(w => w.Reads)):F2} events per read)"));
Console.WriteLine(string.Create(ci, $"watchers: write request sent -> event delay p50 {Pct(fromSent, 50):F2} ms, p99 {Pct(fromSent, 99):F2} ms, max {Pct(fromSent, 100):F2} ms"));
if (bad > 0)
{
    Console.WriteLine($"watchers: FAIL: {bad} watcher(s) missed, repeated or reordered events");
    return 1;
}
Console.WriteLine("watchers: OK");
return 0;

/// <summary>One SSE stream: the revisions of the events for the written file, and when each arrived.</summary>
/// <remarks>
/// 10,000 of these share the machine with the server, so the parser is cheap: it reads the response into one buffer
/// per stream and takes each complete event (up to its blank line) straight from the bytes, the data's JSON with a
/// <see cref="Utf8JsonReader"/>, allocating nothing per event (SseParser and JsonDocument allocated strings and
/// documents for each). An event's receipt time is when the read that completed it returned, before any parsing.
/// </remarks>
internal sealed class Watcher(int expected)
{
    private readonly List<long> _revs = new(expected);

    public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<long> ReceivedAt { get; } = new(expected);

    public int Count => Volatile.Read(ref _count);

    public bool Failed { get; private set; }

    /// <summary>Reads that returned bytes, and events in them: how much the server and the kernel batched.</summary>
    public long Reads { get; private set; }

    public long Events { get; private set; }

    private string? _failure;
    private int _count;

    public async Task RunAsync(HttpClient http, string glob, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("watch?glob=" + Uri.EscapeDataString(glob), UriKind.Relative));
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var pathUtf8 = System.Text.Encoding.UTF8.GetBytes(path);
            var buffer = new byte[4096];
            var filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                    Array.Resize(ref buffer, buffer.Length * 2);
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                    break;
                var now = Stopwatch.GetTimestamp();
                Reads++;
                filled += read;
                var consumed = ReadEvents(buffer.AsSpan(0, filled), pathUtf8, now);
                if (consumed < 0)
                    return;
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
            if (!cancellationToken.IsCancellationRequested)
                Fail("saw its stream end");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail($"failed: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            Opened.TrySetException(new InvalidOperationException(_failure ?? "the stream closed before it opened"));
        }
    }

    /// <summary>Handles every complete event in <paramref name="bytes"/>; returns the bytes consumed, or -1 after a failure.</summary>
    private int ReadEvents(ReadOnlySpan<byte> bytes, byte[] path, long receivedAt)
    {
        var consumed = 0;
        while (true)
        {
            // An event ends with a blank line; this server writes LF line ends only.
            var end = bytes[consumed..].IndexOf("\n\n"u8);
            if (end < 0)
                return consumed;
            Events++;
            if (!OnEvent(bytes.Slice(consumed, end + 1), path, receivedAt))
                return -1;
            consumed += end + 2;
        }
    }

    /// <summary>One event's lines (each ending in LF); false when the stream must stop.</summary>
    private bool OnEvent(ReadOnlySpan<byte> lines, byte[] path, long receivedAt)
    {
        ReadOnlySpan<byte> type = "message"u8, data = default;
        var dataLines = 0;
        while (lines.Length > 0)
        {
            var eol = lines.IndexOf((byte)'\n');
            var line = lines[..eol];
            lines = lines[(eol + 1)..];
            var colon = line.IndexOf((byte)':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? default : line[(colon + 1)..];
            if (value.Length > 0 && value[0] == (byte)' ')
                value = value[1..];
            if (field.SequenceEqual("event"u8))
                type = value;
            else if (field.SequenceEqual("data"u8))
            {
                data = value;
                dataLines++;
            }
        }
        if (type.SequenceEqual("progress"u8))
        {
            Opened.TrySetResult();
            return true;
        }
        if (!type.SequenceEqual("set"u8) && !type.SequenceEqual("del"u8))
        {
            Fail($"got a '{System.Text.Encoding.UTF8.GetString(type)}' event: {System.Text.Encoding.UTF8.GetString(data)}");
            return false;
        }
        Opened.TrySetResult();
        if (dataLines != 1)
        {
            Fail($"got an event with {dataLines} data lines");
            return false;
        }
        long rev = -1;
        var ours = false;
        var json = new Utf8JsonReader(data);
        while (json.Read())
        {
            if (json.TokenType != JsonTokenType.PropertyName || json.CurrentDepth != 1)
                continue;
            if (json.ValueTextEquals("rev"u8))
            {
                json.Read();
                rev = json.GetInt64();
            }
            else if (json.ValueTextEquals("path"u8))
            {
                json.Read();
                ours = json.ValueTextEquals(path);
            }
            else
            {
                json.Read();
                json.Skip();
            }
        }
        if (!ours)
            return true;
        _revs.Add(rev);
        ReceivedAt.Add(receivedAt);
        Interlocked.Increment(ref _count);
        return true;
    }

    public bool Matches(long[] written, out string why)
    {
        why = "";
        if (_failure is not null)
        {
            why = _failure;
            return false;
        }
        if (_revs.Count != written.Length)
        {
            why = $"received {_revs.Count} of {written.Length} events";
            return false;
        }
        for (var i = 0; i < written.Length; i++)
        {
            if (_revs[i] != written[i])
            {
                why = $"received rev {_revs[i]} where write {i} committed rev {written[i]}";
                return false;
            }
        }
        return true;
    }

    private void Fail(string why)
    {
        _failure ??= why;
        Failed = true;
    }
}

/// <summary>16-byte values, different each time.</summary>
internal sealed class ByteArrayContentFactory(int size)
{
    private long _n;

    public ByteArrayContent Next()
    {
        var text = (++_n).ToString("D" + size.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(text[^size..]));
    }
}

/// <summary>The command line.</summary>
internal sealed record Options(string Url, int Watchers, int Writes, int IntervalMs, string Glob, string FilePath, int TimeoutSeconds,
    string WriteUrl, int OpenConcurrency, bool Timeline)
{
    public static Options? Parse(string[] args)
    {
        string? url = null, writeUrl = null;
        int watchers = 1000, writes = 200, interval = 10, timeout = 120, openConcurrency = 50;
        var timeline = false;
        string glob = "/**", path = "/bench/watch/k";
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var v = args[i + 1];
            switch (args[i])
            {
                case "--url": url = v.EndsWith('/') ? v : v + "/"; break;
                case "--watchers": watchers = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--writes": writes = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--interval-ms": interval = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--glob": glob = v; break;
                case "--path": path = v; break;
                case "--timeout": timeout = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--write-url": writeUrl = v.EndsWith('/') ? v : v + "/"; break;
                case "--open-concurrency": openConcurrency = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--timeline": timeline = v == "1"; break;
                default: return null;
            }
        }
        return url is null || args.Length % 2 != 0 ? null
            : new Options(url, watchers, writes, interval, glob, path, timeout, writeUrl ?? url, openConcurrency, timeline);
    }
}
