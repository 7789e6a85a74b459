using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
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
    /// Writes the SSE events of a watch from revision <paramref name="from"/> on to <paramref name="output"/> until the
    /// stream is cancelled or falls behind the history window: one event per changed file, in revision order; a
    /// revision's events go together and only its last carries the id, so Last-Event-ID always names a whole revision.
    /// The stream opens with a progress event for the revision before <paramref name="from"/>, and a quiet stream gets
    /// another (with the id of the revision it has delivered up to) after <paramref name="progressEvery"/>.
    /// </summary>
    /// <remarks>
    /// Everything that is in history when the stream wakes goes out in one flush (a stream that fell behind catches
    /// up in a few large writes, not one per event); the bytes of each revision are shared by all streams
    /// (<see cref="EncodedRevision"/>). A flush that waits for a slow reader holds only this stream back.
    /// </remarks>
    public async Task StreamAsync(
        PipeWriter output, Glob glob, long from, bool utf8, TimeSpan progressEvery, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _streams);
        var waiter = new StreamWaiter(time, cancellationToken);
        try
        {
            var next = Math.Max(from, 1);
            var progressTicks = (long)(progressEvery.TotalSeconds * time.TimestampFrequency);
            // The first event goes out at once: it sends the response headers (an EventSource opens only then) and
            // bookmarks where the stream starts, so a client that reconnects before any change resumes correctly.
            WriteMarker(output, "progress"u8, next - 1);
            if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
                return;
            var quietSince = time.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                var applied = tree.NextApplyAsync();
                var unflushed = 0L;
                var sent = false;
                for (var head = tree.Rev; next <= head; next++)
                {
                    if (ChangesAt(next) is not { } changes)
                    {
                        WriteMarker(output, "too-late"u8, next - 1);
                        await FlushAsync(output, cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    var written = WriteRevision(output, next, changes, glob, utf8, head);
                    unflushed += written;
                    sent |= written > 0;
                    // A long backlog goes out in pieces, so that a stream far behind never buffers it all.
                    if (unflushed >= FlushThreshold)
                    {
                        if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
                            return;
                        unflushed = 0;
                    }
                }
                if (unflushed > 0 && !await FlushAsync(output, cancellationToken).ConfigureAwait(false))
                    return;

                var now = time.GetTimestamp();
                if (sent)
                    quietSince = now;
                if (now - quietSince >= progressTicks)
                {
                    // Bookmark: every matching change up to next - 1 has been sent.
                    WriteMarker(output, "progress"u8, next - 1);
                    if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
                        return;
                    quietSince = time.GetTimestamp();
                    continue;
                }
                if (!applied.IsCompleted)
                    await waiter.WaitAsync(applied, quietSince + progressTicks).ConfigureAwait(false);
            }
        }
        finally
        {
            waiter.Dispose();
            Interlocked.Decrement(ref _streams);
        }
    }

    // 16 KiB per flush: a backlog of thousands of small events goes out in a few writes, and a stream far behind
    // holds at most this much (plus one revision) before its flush waits for the reader.
    private const int FlushThreshold = 16 * 1024;

    /// <summary>Writes the events of revision <paramref name="rev"/> that match <paramref name="glob"/>; returns the bytes written.</summary>
    private int WriteRevision(PipeWriter output, long rev, IReadOnlyList<Change> changes, Glob glob, bool utf8, long head)
    {
        var revision = Encoded(rev, changes, utf8, head);
        var match = revision.Match(glob);
        if (match.Count == 0)
            return 0;
        if (match.All(changes.Count))
        {
            var whole = revision.Whole;
            output.Write(whole);
            return whole.Length;
        }
        var written = 0;
        for (var i = 0; i <= match.Last; i++)
        {
            if (!match.Matches(i))
                continue;
            var e = revision.Event(i);
            var end = i == match.Last ? revision.IdLine : "\n"u8;
            output.Write(e);
            output.Write(end);
            written += e.Length + end.Length;
        }
        return written;
    }

    /// <summary>False when the response is over (the client went away): the stream should stop.</summary>
    private static async ValueTask<bool> FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        var result = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return !result.IsCompleted && !result.IsCanceled;
    }

    /// <summary>
    /// The shared bytes of revision <paramref name="rev"/>. The cache keeps the most recent revisions only: streams
    /// near the head share them; a stream replaying older history encodes for itself rather than evict them.
    /// </summary>
    private EncodedRevision Encoded(long rev, IReadOnlyList<Change> changes, bool utf8, long head)
    {
        var slots = utf8 ? _utf8 : _base64;
        ref var slot = ref slots[rev & (EncodedSlots - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && cached.Rev == rev && ReferenceEquals(cached.Changes, changes))
            return cached;
        var encoded = new EncodedRevision(rev, changes, utf8);
        if (rev > head - EncodedSlots)
        {
            // Streams woken by the same write race to fill the slot: the first one's bytes are kept for all.
            var winner = Interlocked.CompareExchange(ref slot, encoded, cached);
            if (winner != cached && winner is not null && winner.Rev == rev && ReferenceEquals(winner.Changes, changes))
                return winner;
        }
        return encoded;
    }

    // 256 revisions per encoding: enough for every stream that keeps up to share, small enough to hold only a few
    // values alive.
    private const int EncodedSlots = 256;
    private readonly EncodedRevision?[] _base64 = new EncodedRevision?[EncodedSlots];
    private readonly EncodedRevision?[] _utf8 = new EncodedRevision?[EncodedSlots];

    /// <summary><c>event: TYPE\ndata: {"rev":R}\nid: R\n\n</c>: a progress or too-late event.</summary>
    private static void WriteMarker(PipeWriter output, ReadOnlySpan<byte> type, long rev)
    {
        var span = output.GetSpan(MarkerMaxBytes);
        var n = 0;
        Append(span, ref n, "event: "u8);
        Append(span, ref n, type);
        Append(span, ref n, "\ndata: {\"rev\":"u8);
        rev.TryFormat(span[n..], out var digits, default, CultureInfo.InvariantCulture);
        n += digits;
        Append(span, ref n, "}\nid: "u8);
        rev.TryFormat(span[n..], out digits, default, CultureInfo.InvariantCulture);
        n += digits;
        Append(span, ref n, "\n\n"u8);
        output.Advance(n);
    }

    // The fixed parts (30 bytes), the longest type (8) and two 20-digit revisions: 78.
    private const int MarkerMaxBytes = 80;

    private static void Append(Span<byte> span, ref int n, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[n..]);
        n += bytes.Length;
    }

    public static ChangeEvent ToEvent(Change change, bool utf8) =>
        change.Kind == ChangeKind.Set
            ? new ChangeEvent(change.Rev, change.Path, "set", Values.Encode(change.Value.Span, utf8))
            : new ChangeEvent(change.Rev, change.Path, "del");

    public static string Kind(ChangeKind kind) => kind == ChangeKind.Set ? "set" : "del";
}
