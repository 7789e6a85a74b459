using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Doozer.Contracts;

namespace Doozer.Client;

public sealed partial class DoozerClient
{
    /// <summary>
    /// Every change whose path matches a glob, from a revision on, for as long as the enumeration goes on.
    /// When a node fails or the stream breaks, the watch reconnects (to the next node) with <c>Last-Event-ID</c> set
    /// to the last whole revision it delivered (or the last progress bookmark), so the consumer sees every change
    /// exactly once and in order. The events of one revision are delivered together, only once all have arrived.
    /// </summary>
    /// <param name="glob">The glob, for example <c>/**</c>.</param>
    /// <param name="fromRev">The first revision to deliver (history is replayed); only changes after the current
    /// revision when null.</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    /// <returns>The changes, in revision order; the files of one revision in path order.</returns>
    /// <exception cref="DoozerException">The start point left the history window (<c>too-late</c>), or the glob is bad.</exception>
    /// <exception cref="DoozerUnavailableException">More than <see cref="DoozerClientOptions.MaxReconnectAttempts"/>
    /// connection attempts in a row failed.</exception>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        string glob,
        long? fromRev = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(glob);
        // Invariant: every matching change with rev <= resumeAfter has been yielded (or bookmarked as having none).
        long? resumeAfter = fromRev is > 0 ? fromRev - 1 : null;
        var pending = new List<WatchEvent>();
        var failedAttempts = 0;
        var delay = _options.ReconnectDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var index = Volatile.Read(ref _current);
            var response = await OpenWatchAsync(_nodes[index], glob, fromRev, resumeAfter, cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                using (response)
                {
                    var stream = await ReadStreamAsync(response, cancellationToken).ConfigureAwait(false);
                    if (stream is not null)
                    {
                        var events = SseParser.Create(stream).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                        await using (events.ConfigureAwait(false))
                        {
                            while (await NextAsync(events, cancellationToken).ConfigureAwait(false))
                            {
                                failedAttempts = 0;
                                delay = _options.ReconnectDelay;
                                var item = events.Current;
                                switch (item.EventType)
                                {
                                    case "progress":
                                        // A bookmark: every matching change up to its rev was sent. It only moves the
                                        // resume point between revisions, never inside a half-received one.
                                        if (pending.Count == 0 && TryRev(item.EventId, out var bookmark) && bookmark > (resumeAfter ?? -1))
                                            resumeAfter = bookmark;
                                        continue;
                                    case "too-late":
                                        throw new DoozerException($"the watch of {glob} fell behind the history window of {_nodes[index].Uri}", HttpStatusCode.Gone, ProblemTypes.TooLate);
                                    case "set" or "del":
                                        break;
                                    default:
                                        continue;
                                }
                                var change = JsonSerializer.Deserialize(item.Data, DoozerJsonContext.Default.ChangeEvent)
                                    ?? throw new DoozerException("an empty watch event");
                                if (change.Rev <= (resumeAfter ?? -1))
                                    continue;
                                pending.Add(ToEvent(change.Rev, change.Path, change.Kind, change.Value));
                                // Only the last event of a revision carries its id: the revision is whole.
                                if (!TryRev(item.EventId, out var id) || id != change.Rev)
                                    continue;
                                foreach (var ready in pending)
                                    yield return ready;
                                pending.Clear();
                                resumeAfter = change.Rev;
                            }
                        }
                    }
                }
            }
            // The stream broke or the node failed: a half-received revision is sent again in full on resume.
            pending.Clear();
            failedAttempts++;
            if (_options.MaxReconnectAttempts is { } max && failedAttempts > max)
                throw new DoozerUnavailableException($"the watch of {glob} failed {failedAttempts} times in a row");
            if (_nodes.Length > 1)
                Interlocked.CompareExchange(ref _current, (index + 1) % _nodes.Length, index);
            if (_nodes.Length == 1 || failedAttempts % _nodes.Length == 0)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
            }
        }
    }

    /// <summary>Opens the stream on one node: null when the node failed; throws when the watch itself is refused.</summary>
    private async Task<HttpResponseMessage?> OpenWatchAsync(Node node, string glob, long? fromRev, long? resumeAfter, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await node.Api.Watch(
                glob,
                resumeAfter is null ? fromRev : null,
                null,
                _options.WatchProgressSeconds,
                resumeAfter?.ToString(CultureInfo.InvariantCulture),
                cancellationToken).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNodeFailure(e, cancellationToken))
        {
            return null;
        }
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                return null;
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsNodeFailure(e, cancellationToken))
            {
                return null;
            }
            throw Problem(response.StatusCode, body);
        }
    }

    private static async Task<Stream?> ReadStreamAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNodeFailure(e, cancellationToken))
        {
            return null;
        }
    }

    private static async Task<bool> NextAsync(IAsyncEnumerator<SseItem<string>> events, CancellationToken cancellationToken)
    {
        try
        {
            return await events.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsNodeFailure(e, cancellationToken))
        {
            return false;
        }
    }

    private static bool TryRev(string? id, out long rev) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out rev);
}
