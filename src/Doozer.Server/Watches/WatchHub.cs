using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Doozer.Contracts;
using Doozer.Server.Api;
using Doozer.Server.Replication;
using Doozer.Store.Paths;
using Doozer.Store.Tree;

namespace Doozer.Server.Watches;

/// <summary>
/// Serves watch streams and waits from the store's history. A stream never holds a queue of its own: it reads
/// revision after revision from the history window at its own pace, so a slow reader never blocks writes and
/// catches up from history; only when the window has moved past it does it end with too-late (API.md 3.5).
/// </summary>
public sealed class WatchHub(AppliedTree tree, TimeProvider time)
{
    private long _streams;

    /// <summary>Watch streams open now: what /metrics reports.</summary>
    public long OpenStreams => Interlocked.Read(ref _streams);

    /// <summary>The lowest revision a watch or wait may start at (API.md 1: R is readable iff R &gt; C - N).</summary>
    public long OldestStart => tree.Store.OldestRev;

    public long Rev => tree.Rev;

    /// <summary>The changes of revision <paramref name="rev"/> in path order, or null when it has left the history window.</summary>
    private IReadOnlyList<Change>? ChangesAt(long rev)
    {
        var changes = tree.Store.ChangesAt(rev);
        // The history ring may be overwritten while we read it: the revision must still be the one asked for.
        return changes.Count == 0 || changes[0].Rev != rev || rev < tree.Store.OldestRev ? null : changes;
    }

    /// <summary>The first matching change at or after <paramref name="from"/>, or null on timeout.</summary>
    /// <returns>The changes of that revision that match (the first is the event); null on timeout; empty when the
    /// history window moved past the wait.</returns>
    public async Task<List<Change>?> WaitAsync(Glob glob, long from, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var matching = new List<Change>();
        var next = Math.Max(from, 1);
        while (true)
        {
            var applied = tree.NextApplyAsync();
            for (var rev = tree.Rev; next <= rev; next++)
            {
                if (ChangesAt(next) is not { } changes)
                    return [];
                foreach (var change in changes)
                {
                    if (glob.Matches(change.Path))
                        matching.Add(change);
                }
                if (matching.Count > 0)
                    return matching;
            }
            var remaining = timeout - time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
                return null;
            try
            {
                await applied.WaitAsync(remaining, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>
    /// The SSE events of a watch from revision <paramref name="from"/> on: one per changed file, in revision order;
    /// a revision's events go together and only its last carries the id, so Last-Event-ID always names a whole
    /// revision. The stream opens with a progress event for the revision before <paramref name="from"/>, and a quiet
    /// stream gets another (with the id of the revision it has delivered up to) after <paramref name="progressEvery"/>.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAsync(
        Glob glob, long from, bool utf8, TimeSpan progressEvery, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _streams);
        try
        {
            var matching = new List<int>();
            var next = Math.Max(from, 1);
            // The first event goes out at once: it sends the response headers (an EventSource opens only then) and
            // bookmarks where the stream starts, so a client that reconnects before any change resumes correctly.
            yield return Marker("progress", next - 1);
            var quietSince = time.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                var applied = tree.NextApplyAsync();
                for (var rev = tree.Rev; next <= rev; next++)
                {
                    if (ChangesAt(next) is not { } changes)
                    {
                        yield return Marker("too-late", next - 1);
                        yield break;
                    }
                    matching.Clear();
                    for (var i = 0; i < changes.Count; i++)
                    {
                        if (glob.Matches(changes[i].Path))
                            matching.Add(i);
                    }
                    for (var m = 0; m < matching.Count; m++)
                    {
                        var i = matching[m];
                        yield return new SseItem<string>(EventData(next, changes, i, utf8), Kind(changes[i].Kind))
                        {
                            EventId = m == matching.Count - 1 ? Id(next) : null,
                        };
                    }
                    if (matching.Count > 0)
                        quietSince = time.GetTimestamp();
                }

                var remaining = progressEvery - time.GetElapsedTime(quietSince);
                var timedOut = remaining <= TimeSpan.Zero;
                if (!timedOut)
                {
                    try
                    {
                        await applied.WaitAsync(remaining, time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        timedOut = true;
                    }
                }
                if (timedOut)
                {
                    // Bookmark: every matching change up to next - 1 has been sent.
                    yield return Marker("progress", next - 1);
                    quietSince = time.GetTimestamp();
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _streams);
        }
    }

    /// <summary>
    /// The JSON data of change <paramref name="index"/> of revision <paramref name="rev"/>, encoded once and shared by
    /// every stream that sends it: with N watchers a write costs one serialization, not N. The cache keeps the most
    /// recent revisions only (streams near the head share it; a stream replaying old history encodes for itself).
    /// </summary>
    private string EventData(long rev, IReadOnlyList<Change> changes, int index, bool utf8)
    {
        ref var slot = ref _encoded[rev & (EncodedSlots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is null || entry.Rev != rev || !ReferenceEquals(entry.Changes, changes))
        {
            entry = new EncodedRevision(rev, changes, new string?[changes.Count], new string?[changes.Count]);
            Volatile.Write(ref slot, entry);
        }
        var encoded = utf8 ? entry.Utf8 : entry.Base64;
        // Two streams may encode the same change at once; both produce the same string, so either may win.
        return encoded[index] ??= JsonSerializer.Serialize(ToEvent(changes[index], utf8), DoozerJsonContext.Default.ChangeEvent);
    }

    // 256 revisions: enough for every stream that keeps up to share, small enough to hold only a few values alive.
    private const int EncodedSlots = 256;
    private readonly EncodedRevision?[] _encoded = new EncodedRevision?[EncodedSlots];

    private sealed record EncodedRevision(long Rev, IReadOnlyList<Change> Changes, string?[] Base64, string?[] Utf8);

    public static ChangeEvent ToEvent(Change change, bool utf8) =>
        change.Kind == ChangeKind.Set
            ? new ChangeEvent(change.Rev, change.Path, "set", Values.Encode(change.Value.Span, utf8))
            : new ChangeEvent(change.Rev, change.Path, "del");

    public static string Kind(ChangeKind kind) => kind == ChangeKind.Set ? "set" : "del";

    private static SseItem<string> Marker(string type, long rev) =>
        new(JsonSerializer.Serialize(new ProgressEvent(rev), DoozerJsonContext.Default.ProgressEvent), type) { EventId = Id(rev) };

    private static string Id(long rev) => rev.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
