using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Tree;

namespace Doozer.Cluster.Tests;

/// <summary>A write or delete the cluster acknowledged (2xx), with the revision it said it committed at.</summary>
public sealed record AckedWrite(int Client, string Path, bool IsDelete, string? Value, long Rev, long Call, long Return)
{
    public override string ToString() =>
        $"client {Client} {(IsDelete ? "DELETE" : "PUT")} {Path}{(IsDelete ? "" : $" \"{Value}\"")} @{Rev} [{Call}, {Return}]";
}

/// <summary>
/// Concurrent clients, each a plain HttpClient bound to one node, issuing linearizable reads, blind writes,
/// compare-and-set writes (<c>If-Match</c> on the last rev the client saw, or <c>If-None-Match: *</c>), and plain and
/// conditional deletes on a few paths, recording every operation in a <see cref="History{TInput, TOutput}"/>.
/// </summary>
/// <remarks>
/// What is recorded: a definite answer as what it says; a write or delete without a definite answer (timeout, reset,
/// 503, 504, and the first "connection refused" after a working connection, see MutateAsync) as unknown, never as
/// failed, since it may have committed. Reads without an answer and later refusals are left out: they have no effect. Any other status (400, 409, 500...) is kept as unknown
/// and listed in <see cref="Unexpected"/>, which the checks require to be empty. Every written value is unique
/// (<c>c3-17</c>), so the committed log shows which write each revision is.
/// </remarks>
public sealed class Workload
{
    private readonly ConcurrentQueue<AckedWrite> _acked = new();
    private readonly ConcurrentDictionary<int, bool> _refused = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);
    private long _reads;
    private long _definite;
    private long _unknown;
    private long _notSent;

    public Workload(string prefix, int keys = 3)
    {
        Prefix = prefix;
        Paths = [.. Enumerable.Range(0, keys).Select(i => $"{prefix}/k{i}")];
    }

    /// <summary>The directory all paths are in, for example <c>/t1a2b3c</c>.</summary>
    public string Prefix { get; }

    public IReadOnlyList<string> Paths { get; }

    public History<FileInput, FileResult> History { get; } = new(FileResult.Unknown);

    public IReadOnlyList<AckedWrite> Acked => [.. _acked];

    /// <summary>Answers that no operation should get (status and what was asked).</summary>
    public IReadOnlyList<string> Unexpected => [.. _unexpected];

    /// <summary>Every value some client tried to write, with its path.</summary>
    public IReadOnlyDictionary<string, string> Written => _written;

    public long Reads => Interlocked.Read(ref _reads);

    public long UnknownOutcomes => Interlocked.Read(ref _unknown);

    public string Summary =>
        $"{History.Count} operations recorded: {_acked.Count} writes/deletes acknowledged, {Interlocked.Read(ref _reads)} reads answered, " +
        $"{Interlocked.Read(ref _definite)} definite answers in all, {Interlocked.Read(ref _unknown)} unknown outcomes, " +
        $"{Interlocked.Read(ref _notSent)} refused at connect, {_unexpected.Count} unexpected";

    /// <summary>A new prefix, so that tests never share paths.</summary>
    public static string NewPrefix() => "/t" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Runs one client per URL given until <paramref name="stop"/> is cancelled; in-flight requests finish.</summary>
    public Task RunAsync(IReadOnlyList<Uri> clientNodes, CancellationToken stop) =>
        Task.WhenAll(clientNodes.Select((node, i) => Task.Run(() => ClientAsync(i, node, stop))));

    /// <summary>One linearizable read of each path from <paramref name="node"/>, recorded (the final reads).</summary>
    public async Task<List<(string Path, FileResult Result)>> ReadAllAsync(int clientId, Uri node)
    {
        using var http = NewClient(node);
        var results = new List<(string, FileResult)>();
        foreach (var path in Paths)
        {
            var result = await ReadAsync(http, clientId, path);
            if (result is { } r)
                results.Add((path, r));
        }
        return results;
    }

    private static HttpClient NewClient(Uri node) =>
        new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) }) { BaseAddress = node, Timeout = TimeSpan.FromSeconds(6) };

    private async Task ClientAsync(int clientId, Uri node, CancellationToken stop)
    {
        using var http = NewClient(node);
        var random = new Random(clientId * 7919 + Environment.TickCount);
        var lastRev = new Dictionary<string, long>(StringComparer.Ordinal);
        var sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            var path = Paths[random.Next(Paths.Count)];
            var known = lastRev.GetValueOrDefault(path);
            var roll = random.Next(100);
            bool answered;
            if (roll < 40)
            {
                var result = await ReadAsync(http, clientId, path);
                answered = result is not null;
                if (result is { Kind: FileResultKind.Found } found)
                    lastRev[path] = found.Rev;
                else if (result is { Kind: FileResultKind.NotFound })
                    lastRev.Remove(path);
            }
            else if (roll < 88)
            {
                var value = $"c{clientId}-{++sequence}";
                var input = roll switch
                {
                    < 65 => FileInput.Write(path, value),
                    _ when known > 0 => FileInput.WriteIfMatch(path, value, known),
                    _ => FileInput.Create(path, value),
                };
                var result = await WriteAsync(http, clientId, input);
                answered = result is not null;
                if (result is { Kind: FileResultKind.Written or FileResultKind.RevMismatch } r && r.Rev > 0)
                    lastRev[path] = r.Rev;
            }
            else
            {
                var input = random.Next(2) == 0 && known > 0 ? FileInput.DeleteIfMatch(path, known) : FileInput.Delete(path);
                var result = await DeleteAsync(http, clientId, input);
                answered = result is not null;
                if (result is { Kind: FileResultKind.Deleted or FileResultKind.NotFound })
                    lastRev.Remove(path);
                else if (result is { Kind: FileResultKind.RevMismatch } r && r.Rev > 0)
                    lastRev[path] = r.Rev;
            }
            if (!answered)
            {
                // A node that is down or unreachable: do not spin.
                try
                {
                    await Task.Delay(50, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task<FileResult?> ReadAsync(HttpClient http, int clientId, string path)
    {
        var input = FileInput.Read(path);
        var call = Stopwatch.GetTimestamp();
        var answer = await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, "/tree" + path));
        _refused[clientId] = answer.NotSent;
        if (answer.Response is not { } response)
            return null;
        using (response)
        {
            FileResult? result = response.StatusCode switch
            {
                HttpStatusCode.OK => FileResult.Found(answer.Body, ETagRev(response), DoozerRev(response)),
                HttpStatusCode.NotFound => FileResult.NotFound(DoozerRev(response)),
                _ => null,
            };
            if (result is null)
            {
                if (!IsUnavailable(response.StatusCode))
                    Unexpect(response, input, answer.Body);
                return null;
            }
            var handle = History.Invoke(clientId, input, call);
            History.Complete(handle, result.Value, answer.Returned);
            Interlocked.Increment(ref _reads);
            Interlocked.Increment(ref _definite);
            return result;
        }
    }

    private Task<FileResult?> WriteAsync(HttpClient http, int clientId, FileInput input)
    {
        _written[input.Value!] = input.Path;
        var request = new HttpRequestMessage(HttpMethod.Put, "/tree" + input.Path) { Content = new StringContent(input.Value!) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        AddCondition(request, input);
        return MutateAsync(http, clientId, input, request, response => response.StatusCode switch
        {
            HttpStatusCode.OK or HttpStatusCode.Created => FileResult.Written(ETagRev(response)),
            _ => null,
        });
    }

    private Task<FileResult?> DeleteAsync(HttpClient http, int clientId, FileInput input)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, "/tree" + input.Path);
        AddCondition(request, input);
        return MutateAsync(http, clientId, input, request, response => response.StatusCode switch
        {
            HttpStatusCode.NoContent => FileResult.Deleted(DoozerRev(response)),
            HttpStatusCode.NotFound => FileResult.NotFound(),
            _ => null,
        });
    }

    private async Task<FileResult?> MutateAsync(HttpClient http, int clientId, FileInput input, HttpRequestMessage request, Func<HttpResponseMessage, FileResult?> success)
    {
        var call = Stopwatch.GetTimestamp();
        var answer = await SendAsync(http, request);
        // Refused at connect is not proof the request never arrived: HttpClient re-sends a request without a body (a
        // DELETE) on a new connection when a reused one breaks before the answer, so a DELETE the node read (and got
        // decided) just before it died comes back as "connection refused" from the retry. That hid a committed delete
        // and made the checker call a later 404 read illegal. Only the first refusal after a working connection can
        // be such a retry: it is unknown; refusals after it were never sent.
        var refusedBefore = _refused.TryGetValue(clientId, out var was) && was;
        _refused[clientId] = answer.NotSent;
        if (answer.NotSent && refusedBefore)
        {
            Interlocked.Increment(ref _notSent);
            return null;
        }
        var handle = History.Invoke(clientId, input, call);
        if (answer.Response is not { } response)
        {
            History.CompleteUnknown(handle);
            Interlocked.Increment(ref _unknown);
            return null;
        }
        using (response)
        {
            var result = response.StatusCode == HttpStatusCode.PreconditionFailed
                ? FileResult.RevMismatch(CurrentRev(answer.Body))
                : success(response);
            if (result is not { } definite)
            {
                if (!IsUnavailable(response.StatusCode))
                    Unexpect(response, input, answer.Body);
                History.CompleteUnknown(handle);
                Interlocked.Increment(ref _unknown);
                return null;
            }
            History.Complete(handle, definite, answer.Returned);
            Interlocked.Increment(ref _definite);
            if (definite.Kind is FileResultKind.Written or FileResultKind.Deleted)
                _acked.Enqueue(new AckedWrite(clientId, input.Path, definite.Kind == FileResultKind.Deleted, input.Value, definite.Rev, call, answer.Returned));
            return definite;
        }
    }

    private static void AddCondition(HttpRequestMessage request, FileInput input)
    {
        switch (input.Precondition)
        {
            case FilePrecondition.IfMatch:
                request.Headers.TryAddWithoutValidation("If-Match", $"\"{input.MatchRev.ToString(CultureInfo.InvariantCulture)}\"");
                break;
            case FilePrecondition.IfExists:
                request.Headers.TryAddWithoutValidation("If-Match", "*");
                break;
            case FilePrecondition.IfAbsent:
                request.Headers.TryAddWithoutValidation("If-None-Match", "*");
                break;
        }
    }

    private static bool IsUnavailable(HttpStatusCode status) =>
        status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private void Unexpect(HttpResponseMessage response, FileInput input, string body)
    {
        var text = body.Length > 300 ? body[..300] : body;
        _unexpected.Enqueue($"{(int)response.StatusCode} for {input}: {text}");
    }

    private sealed record Answer(HttpResponseMessage? Response, string Body, long Returned, bool NotSent);

    private static async Task<Answer> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            try
            {
                var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                return new Answer(response, body, Stopwatch.GetTimestamp(), false);
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return new Answer(null, "", Stopwatch.GetTimestamp(), true);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                return new Answer(null, "", Stopwatch.GetTimestamp(), false);
            }
        }
    }

    private static long ETagRev(HttpResponseMessage response) =>
        response.Headers.ETag is { } tag && long.TryParse(tag.Tag.Trim('"'), CultureInfo.InvariantCulture, out var rev) ? rev : 0;

    private static long DoozerRev(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Doozer-Rev", out var values) && long.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture, out var rev) ? rev : 0;

    private static long CurrentRev(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("currentRev", out var rev) ? rev.GetInt64() : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }
}
