using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Doozer.Cluster.Tests;

/// <summary>One change as a watch delivers it.</summary>
public sealed record LogEvent(long Rev, string Path, string Kind, string? Value)
{
    public bool IsDelete => Kind == "del";

    public override string ToString() => $"@{Rev} {Kind} {Path}{(IsDelete ? "" : $" \"{Value}\"")}";
}

/// <summary>
/// What a watch stream said, parsed with <see cref="SseParser"/>: the change events, and the progress bookmarks with
/// how many change events had arrived when each came.
/// </summary>
public sealed record WatchRead(List<LogEvent> Events, List<(long Rev, int EventsBefore)> Progress, long LastCompleteRev, string? Ended);

/// <summary>Reads watch streams (API.md section 3.5): the committed log of a prefix, and resumable streams.</summary>
public static class CommittedLog
{
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// Every committed change under <paramref name="prefix"/> from revision 1 on, as <paramref name="node"/> delivers
    /// it, read until a progress bookmark at or past <paramref name="upTo"/>.
    /// </summary>
    public static async Task<List<LogEvent>> ReadAsync(Uri node, string prefix, long upTo, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var read = await WatchAsync(node, prefix, fromRev: 1, lastEventId: null, until: r => r >= upTo, timeout.Token);
        if (read.Ended is not null)
            throw new InvalidOperationException($"the watch on {node} for {prefix} ended before rev {upTo}: {read.Ended}");
        return read.Events;
    }

    /// <summary>
    /// Reads one watch stream until <paramref name="until"/> holds for a progress bookmark, the stream ends (it says
    /// why in <see cref="WatchRead.Ended"/>) or the token is cancelled (likewise). Starts at <paramref name="fromRev"/>,
    /// or after <paramref name="lastEventId"/> when given.
    /// </summary>
    public static async Task<WatchRead> WatchAsync(
        Uri node, string prefix, long fromRev, long? lastEventId, Func<long, bool> until, CancellationToken cancellationToken,
        Action<LogEvent>? onEvent = null)
    {
        var events = new List<LogEvent>();
        var progress = new List<(long, int)>();
        long lastComplete = lastEventId ?? fromRev - 1;
        var query = $"/watch?glob={Uri.EscapeDataString(prefix + "/**")}&encoding=utf8&progress=0.2" +
            (lastEventId is null ? $"&rev={fromRev.ToString(CultureInfo.InvariantCulture)}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, query));
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is { } id)
            request.Headers.TryAddWithoutValidation("Last-Event-ID", id.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return new WatchRead(events, progress, lastComplete, $"status {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
            {
                using var data = JsonDocument.Parse(item.Data);
                var rev = data.RootElement.GetProperty("rev").GetInt64();
                switch (item.EventType)
                {
                    case "progress":
                        progress.Add((rev, events.Count));
                        lastComplete = Math.Max(lastComplete, rev);
                        if (until(rev))
                            return new WatchRead(events, progress, lastComplete, null);
                        break;
                    case "set" or "del":
                        var root = data.RootElement;
                        var change = new LogEvent(
                            rev,
                            root.GetProperty("path").GetString()!,
                            root.GetProperty("kind").GetString()!,
                            root.TryGetProperty("value", out var value) ? value.GetString() : null);
                        events.Add(change);
                        onEvent?.Invoke(change);
                        // Only the last event of a revision carries the id: a reconnect resumes after whole revisions.
                        if (item.EventId == change.Rev.ToString(CultureInfo.InvariantCulture))
                            lastComplete = change.Rev;
                        break;
                    default:
                        return new WatchRead(events, progress, lastComplete, $"event {item.EventType}: {item.Data}");
                }
            }
            return new WatchRead(events, progress, lastComplete, "the stream ended");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new WatchRead(events, progress, lastComplete, "cancelled");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new WatchRead(events, progress, lastComplete, e.GetType().Name + ": " + e.Message);
        }
    }
}
