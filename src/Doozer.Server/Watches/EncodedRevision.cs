using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Doozer.Contracts;
using Doozer.Store.Paths;
using Doozer.Store.Tree;

namespace Doozer.Server.Watches;

/// <summary>
/// The SSE bytes of one revision's changes in one encoding, built on first use and then shared by every stream that
/// sends them: with N watchers a write costs one JSON serialization and one base64 encoding, not N. Likewise which of
/// its changes a glob matches, shared by the streams with that glob.
/// </summary>
/// <remarks>
/// An event is <c>event: K\ndata: JSON\n</c>; the revision's last sent event ends with <c>id: R\n\n</c>, every other
/// one with <c>\n</c> (API.md 3.5: only a revision's last event carries the id). Field order event/data/id is the one
/// .NET's SseFormatter wrote before, which clients and tests already expect.
/// Several streams may build the same bytes at once; they are equal, so whichever array wins is fine.
/// </remarks>
internal sealed class EncodedRevision(long rev, IReadOnlyList<Change> changes, bool utf8)
{
    private readonly byte[]?[] _events = new byte[]?[changes.Count];
    private byte[]? _whole;
    private byte[]? _idLine;
    // A few globs' answers: streams mostly share a handful of globs (10,000 watchers of /** share one).
    private readonly GlobMatch?[] _matches = new GlobMatch?[MatchSlots];
    private const int MatchSlots = 4;

    public long Rev => rev;

    public IReadOnlyList<Change> Changes => changes;

    /// <summary>Every change of the revision as events, the id on the last: what a stream whose glob matches them all sends.</summary>
    public ReadOnlySpan<byte> Whole => _whole ??= BuildWhole();

    /// <summary>Change <paramref name="index"/> as an event without its terminating line.</summary>
    public ReadOnlySpan<byte> Event(int index) => _events[index] ??= BuildEvent(changes[index]);

    /// <summary>The line that ends a revision's last event: <c>id: R</c> and the blank line.</summary>
    public ReadOnlySpan<byte> IdLine => _idLine ??= BuildIdLine(rev);

    /// <summary>Which of the revision's changes <paramref name="glob"/> matches.</summary>
    public GlobMatch Match(Glob glob)
    {
        ref var slot = ref _matches[(uint)glob.Text.GetHashCode() % MatchSlots];
        var match = Volatile.Read(ref slot);
        if (match is not null && string.Equals(match.GlobText, glob.Text, StringComparison.Ordinal))
            return match;
        match = GlobMatch.Of(glob, changes);
        Volatile.Write(ref slot, match);
        return match;
    }

    private byte[] BuildWhole()
    {
        var buffer = new ArrayBufferWriter<byte>(256 * changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            buffer.Write(Event(i));
            buffer.Write(i == changes.Count - 1 ? IdLine : "\n"u8);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private byte[] BuildEvent(Change change)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + change.Path.Length + change.Value.Length * 2);
        buffer.Write(change.Kind == ChangeKind.Set ? "event: set\ndata: "u8 : "event: del\ndata: "u8);
        using (var json = new Utf8JsonWriter(buffer))
            JsonSerializer.Serialize(json, WatchHub.ToEvent(change, utf8), DoozerJsonContext.Default.ChangeEvent);
        // The JSON has no raw line breaks (the serializer escapes them), so the data is one line.
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] BuildIdLine(long rev)
    {
        Span<byte> line = stackalloc byte[32];
        "id: "u8.CopyTo(line);
        rev.TryFormat(line[4..], out var digits, default, CultureInfo.InvariantCulture);
        "\n\n"u8.CopyTo(line[(4 + digits)..]);
        return line[..(4 + digits + 2)].ToArray();
    }
}
