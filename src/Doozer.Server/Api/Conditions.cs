using System.Globalization;
using Doozer.Store.Commands;
using Microsoft.Extensions.Primitives;

namespace Doozer.Server.Api;

/// <summary>
/// If-Match and If-None-Match (RFC 9110 section 13.1) as Doozer uses them: entity tags are quoted revisions.
/// A well-formed tag that is not a revision, or a weak tag (If-Match compares strongly), simply never matches.
/// </summary>
public static class Conditions
{
    /// <summary>An entity tag: its revision when it is a strong tag holding one, else null.</summary>
    private readonly record struct Tag(long? Rev, bool Weak);

    /// <summary>The precondition of a write, or false when a header is malformed.</summary>
    public static bool TryParseWrite(StringValues ifMatch, StringValues ifNoneMatch, out Precondition precondition, out string error)
    {
        precondition = Precondition.None;
        error = "";
        var hasMatch = !StringValues.IsNullOrEmpty(ifMatch);
        var hasNoneMatch = !StringValues.IsNullOrEmpty(ifNoneMatch);
        if (hasNoneMatch && ifNoneMatch.ToString().Trim() != "*")
        {
            error = "On a write, If-None-Match may only be '*' (create only).";
            return false;
        }
        if (!hasMatch)
        {
            precondition = hasNoneMatch ? Precondition.Missing : Precondition.None;
            return true;
        }
        if (!TryParseList(ifMatch, out var any, out var tags))
        {
            error = $"If-Match must be '*' or a list of quoted entity tags, got '{ifMatch}'.";
            return false;
        }
        if (hasNoneMatch)
        {
            // "Must exist" and "must not exist" together can never hold: a precondition that matches no revision.
            precondition = new Precondition(PreconditionKind.RevIn, []);
            return true;
        }
        if (any)
        {
            precondition = Precondition.Exists;
            return true;
        }
        var revs = new List<long>(tags.Count);
        foreach (var tag in tags)
        {
            if (tag is { Weak: false, Rev: { } rev })
                revs.Add(rev);
        }
        precondition = new Precondition(PreconditionKind.RevIn, [.. revs]);
        return true;
    }

    /// <summary>Whether a GET's If-None-Match names the file's current revision (weak comparison, RFC 9110 13.1.2).</summary>
    public static bool TryParseRead(StringValues ifNoneMatch, long fileRev, out bool notModified, out string error)
    {
        notModified = false;
        error = "";
        if (StringValues.IsNullOrEmpty(ifNoneMatch))
            return true;
        if (!TryParseList(ifNoneMatch, out var any, out var tags))
        {
            error = $"If-None-Match must be '*' or a list of quoted entity tags, got '{ifNoneMatch}'.";
            return false;
        }
        notModified = any || tags.Exists(t => t.Rev == fileRev);
        return true;
    }

    private static bool TryParseList(StringValues values, out bool any, out List<Tag> tags)
    {
        any = false;
        tags = [];
        var text = values.ToString().Trim();
        if (text == "*")
        {
            any = true;
            return true;
        }
        var span = text.AsSpan();
        while (true)
        {
            span = span.TrimStart();
            var weak = span.StartsWith("W/", StringComparison.Ordinal);
            if (weak)
                span = span[2..];
            if (span.Length < 2 || span[0] != '"')
                return false;
            var close = span[1..].IndexOf('"');
            if (close < 0)
                return false;
            var opaque = span.Slice(1, close);
            // etagc = %x21 / %x23-7E / obs-text: no spaces, quotes or controls inside a tag.
            foreach (var c in opaque)
            {
                if (c <= 0x20 || c == 0x7f)
                    return false;
            }
            long? rev = long.TryParse(opaque, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : null;
            tags.Add(new Tag(rev, weak));
            span = span[(close + 2)..].TrimStart();
            if (span.IsEmpty)
                return tags.Count > 0;
            if (span[0] != ',')
                return false;
            span = span[1..];
        }
    }
}
