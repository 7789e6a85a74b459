using System.ComponentModel;
using System.Globalization;
using Doozer.Contracts;
using Doozer.Server.Security;
using Doozer.Store.Paths;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Doozer.Server.Api;

/// <summary>/walk: every file matching a glob, at one pinned revision, in pages (API.md 3.3).</summary>
public static class WalkEndpoints
{
    public static IEndpointRouteBuilder MapWalk(this IEndpointRouteBuilder app)
    {
        app.MapGet("/walk", WalkAsync)
            .WithTags("Tree")
            .WithName("Walk")
            .WithSummary("List the files matching a glob, with their values, at one revision")
            .WithDescription("Glob: ? is one character other than /, * any run of characters other than /, ** any run including /. Page with after=next and rev=rev of the first page.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return app;
    }

    private static async Task<Results<Ok<WalkResponse>, ProblemHttpResult>> WalkAsync(
        HttpContext http, [Description("The glob files must match, e.g. /** or /config/*.")] string? glob, [Description("Walk the tree as it was at this revision (pass the rev of the first page for later pages).")] long? rev, [Description("linearizable (default) or stale.")] string? consistency, [Description("Files per page, 1 to 10000 (default 1000).")] int? limit, [Description("Return the files after this path.")] string? after, [Description("base64 (default) or utf8: how values are written.")] string? encoding, [Description("Seconds to wait for a revision this node has not reached yet, 0 to 300 (default 10).")] double? wait,
        Access access, Reads reads, CancellationToken cancellationToken)
    {
        if (!Glob.TryParse(glob, out var pattern))
            return BadGlob(glob);
        if (Query.Limit(limit, out var pageSize) is { } badLimit)
            return badLimit;
        if (Query.Encoding(encoding, out var utf8) is { } badEncoding)
            return badEncoding;
        if (Reads.ParsePoint(rev, consistency, wait, out var point) is { } badRead)
            return badRead;
        if (access.Check(http, AccessLevel.Read) is { } denied)
            return denied;
        var (view, unavailable) = await reads.ViewAsync(point, cancellationToken);
        if (view is null)
            return unavailable!;

        var page = view.Walk(pattern, after, pageSize);
        var files = new WalkFileDto[page.Files.Count];
        for (var i = 0; i < files.Length; i++)
        {
            var f = page.Files[i];
            files[i] = new WalkFileDto(f.Path, f.Rev, f.Value.Length, Values.Encode(f.Value.Span, utf8));
        }
        http.Response.Headers[DoozerHeaders.Rev] = view.Rev.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(new WalkResponse(view.Rev, files, page.Next));
    }

    public static ProblemHttpResult BadGlob(string? glob) =>
        Problem.Of(ProblemKind.BadGlob,
            glob is null
                ? "The glob parameter is required, e.g. glob=/**."
                : $"'{glob}' is not a glob: it starts with /, has names of A-Z a-z 0-9 . _ - * ? (not . or ..), no empty names and no trailing /.");
}
