using System.ComponentModel;
using System.Globalization;
using Doozer.Contracts;
using Doozer.Server.Security;
using Doozer.Server.Watches;
using Doozer.Store.Paths;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Doozer.Server.Api;

/// <summary>/wait (long poll) and /watch (Server-Sent Events): the committed changes, in order (API.md 3.4, 3.5).</summary>
public static class WatchEndpoints
{
    public const double DefaultWaitTimeoutSeconds = 30;
    public const double MaxWaitTimeoutSeconds = 300;
    public const double DefaultProgressSeconds = 15;

    public static IEndpointRouteBuilder MapWatches(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Watch");
        group.MapGet("/wait", WaitAsync)
            .WithName("Wait")
            .WithSummary("Long-poll for the first change at or after a revision whose path matches a glob")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status410Gone);
        group.MapGet("/watch", Watch)
            .WithName("Watch")
            .WithSummary("Stream every change whose path matches a glob as Server-Sent Events")
            .WithDescription("Events set and del carry the change as JSON; a revision's last event carries its id. Resume with Last-Event-ID. Quiet streams get progress events; a stream that falls behind the history window ends with too-late.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status410Gone);
        return app;
    }

    private static async Task<Results<Ok<WaitResponse>, NoContent, ProblemHttpResult>> WaitAsync(
        HttpContext http, [Description("The glob changed paths must match, e.g. /**.")] string? glob, [Description("The first revision to consider (history is replayed); default: the next change.")] long? rev, [Description("Seconds to wait, 0 to 300, fractions allowed (default 30); then 204.")] double? timeout, [Description("base64 (default) or utf8: how the value is written.")] string? encoding, Access access, WatchHub hub, CancellationToken cancellationToken)
    {
        if (!Glob.TryParse(glob, out var pattern))
            return WalkEndpoints.BadGlob(glob);
        if (Query.Rev(rev) is { } badRev)
            return badRev;
        if (Query.Seconds("timeout", timeout, DefaultWaitTimeoutSeconds, 0, MaxWaitTimeoutSeconds, out var span) is { } badTimeout)
            return badTimeout;
        if (Query.Encoding(encoding, out var utf8) is { } badEncoding)
            return badEncoding;
        if (access.Check(http, AccessLevel.Read) is { } denied)
            return denied;
        var from = rev ?? hub.Rev + 1;
        if (from < hub.OldestStart)
            return Problem.TooLate(from, hub.OldestStart);

        var changes = await hub.WaitAsync(pattern, from, span, cancellationToken);
        if (changes is null)
        {
            http.Response.Headers[DoozerHeaders.Rev] = hub.Rev.ToString(CultureInfo.InvariantCulture);
            return TypedResults.NoContent();
        }
        if (changes.Count == 0)
            return Problem.TooLate(from, hub.OldestStart);
        var first = changes[0];
        List<AlsoChanged>? also = null;
        for (var i = 1; i < changes.Count; i++)
            (also ??= []).Add(new AlsoChanged(changes[i].Path, WatchHub.Kind(changes[i].Kind)));
        var e = WatchHub.ToEvent(first, utf8);
        http.Response.Headers[DoozerHeaders.Rev] = first.Rev.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(new WaitResponse(e.Rev, e.Path, e.Kind, e.Value, also));
    }

    private static Results<WatchStreamResult, ProblemHttpResult> Watch(
        HttpContext http, [Description("The glob changed paths must match, e.g. /**.")] string? glob, [Description("Start at this revision, replaying history (ignored when Last-Event-ID is sent).")] long? rev, [Description("base64 (default) or utf8: how values are written.")] string? encoding, [Description("Seconds of quiet before a progress event, 0.1 to 3600 (default 15).")] double? progress,
        [FromHeader(Name = "Last-Event-ID")][Description("Resume after this revision (what an EventSource sends when it reconnects).")] string? lastEventId, Access access, WatchHub hub)
    {
        if (!Glob.TryParse(glob, out var pattern))
            return WalkEndpoints.BadGlob(glob);
        if (Query.Rev(rev) is { } badRev)
            return badRev;
        if (Query.Encoding(encoding, out var utf8) is { } badEncoding)
            return badEncoding;
        if (Query.Seconds("progress", progress, DefaultProgressSeconds, 0.1, 3600, out var every) is { } badProgress)
            return badProgress;
        long? resumeAfter = null;
        if (!string.IsNullOrEmpty(lastEventId))
        {
            if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
                return Query.Bad($"Last-Event-ID must be a revision, got '{lastEventId}'.");
            resumeAfter = after;
        }
        if (access.Check(http, AccessLevel.Read) is { } denied)
            return denied;

        var from = resumeAfter + 1 ?? rev ?? hub.Rev + 1;
        if (from < hub.OldestStart)
            return Problem.TooLate(from, hub.OldestStart);
        http.Response.Headers[DoozerHeaders.Rev] = hub.Rev.ToString(CultureInfo.InvariantCulture);
        return new WatchStreamResult(hub, pattern, from, utf8, every);
    }
}
