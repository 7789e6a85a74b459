using System.Text;
using System.Text.Json;

namespace Doozer.Server.Tests;

/// <summary>One Server-Sent Event as it arrived: its fields, and the exact text it was sent as.</summary>
public sealed record SseEvent(string? Id, string Type, string Data, string Raw)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>
/// Reads an SSE response by hand, keeping the bytes exactly as sent, so tests can check the wire format
/// as well as the events.
/// </summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage? _response;
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage? response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response ?? throw new InvalidOperationException("Not an HTTP response.");

    /// <summary>Reads events from any stream of SSE bytes (e.g. what WatchHub writes, without HTTP).</summary>
    public static SseReader Over(Stream stream) => new(null, stream);

    public static async Task<SseReader> OpenAsync(HttpClient client, string uri, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event, or null when the stream ends; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<SseEvent?> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var raw = new StringBuilder();
        string? id = null, type = null;
        var data = new StringBuilder();
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No complete event within the timeout; partial: '{raw}'");
            }
            if (line is null)
                return null;
            raw.Append(line).Append('\n');
            if (line.Length == 0)
            {
                if (type is null && id is null && data.Length == 0)
                    continue;
                return new SseEvent(id, type ?? "message", data.ToString(), raw.ToString());
            }
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
            }
        }
    }

    /// <summary>Reads events until one of type set/del carries id &gt;= <paramref name="rev"/>; skips progress events.</summary>
    public async Task<List<SseEvent>> ReadThroughAsync(long rev, TimeSpan? timeout = null)
    {
        var events = new List<SseEvent>();
        while (true)
        {
            var e = await NextAsync(timeout) ?? throw new InvalidOperationException("The stream ended early.");
            if (e.Type == "progress")
            {
                if (long.Parse(e.Id!) >= rev)
                    return events;
                continue;
            }
            events.Add(e);
            if (e.Id is not null && long.Parse(e.Id) >= rev)
                return events;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response?.Dispose();
        await Task.CompletedTask;
    }
}
