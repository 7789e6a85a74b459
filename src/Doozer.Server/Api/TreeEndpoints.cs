using System.ComponentModel;
using System.Globalization;
using Doozer.Contracts;
using Doozer.Server.Hosting;
using Doozer.Server.Replication;
using Doozer.Server.Security;
using Doozer.Store.Commands;
using Doozer.Store.Tree;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Doozer.Server.Api;

/// <summary>/tree/{path}: read, stat, write and delete files; list directories (API.md 3.1).</summary>
public static class TreeEndpoints
{
    private const string Prefix = "/tree";

    public static IEndpointRouteBuilder MapTree(this IEndpointRouteBuilder app)
    {
        var tree = app.MapGroup(Prefix).WithTags("Tree");
        tree.MapGet("/{**path}", GetAsync)
            .WithName("GetTree")
            .WithSummary("Read a file, or list a directory")
            .WithDescription("A file answers with its raw bytes; a directory with a page of its entries. Reads are linearizable unless consistency=stale; rev reads the tree as it was at that revision.")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/octet-stream")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesReadProblems();
        tree.MapMethods("/{**path}", [HttpMethods.Head], GetAsync)
            .WithName("StatTree")
            .WithSummary("Stat a file or directory: the headers of GET without the body")
            .Produces(StatusCodes.Status200OK)
            .ProducesReadProblems();
        tree.MapPut("/{**path}", PutAsync)
            .WithName("PutTree")
            .WithSummary("Write a file (the body is the value), creating its directories")
            .WithDescription("If-Match: \"REV\" writes only if the file is still at REV; If-Match: * only if it exists; If-None-Match: * only if nothing exists at the path.")
            .Accepts<byte[]>("application/octet-stream", "*/*")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        tree.MapDelete("/{**path}", DeleteAsync)
            .WithName("DeleteTree")
            .WithSummary("Delete a file, or a whole directory with recursive=true")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<FileContentHttpResult, Ok<DirListing>, StatusCodeHttpResult, ProblemHttpResult>> GetAsync(
        HttpContext http, [Description("The tree path; a trailing slash asks for a directory.")] string? path, [Description("Read the tree as it was at this revision.")] long? rev, [Description("linearizable (default) or stale.")] string? consistency, [Description("Directory entries per page, 1 to 10000 (default 1000).")] int? limit, [Description("List the directory entries after this name.")] string? after, [Description("Seconds to wait for a revision this node has not reached yet, 0 to 300 (default 10).")] double? wait,
        [FromHeader(Name = "If-None-Match")][Description("\"REV\" (or a list): answer 304 Not Modified while the file is still at that revision.")] string? ifNoneMatch,
        Access access, Reads reads, CancellationToken cancellationToken)
    {
        if (!TreeAddress.TryParse(http.Request.Path.Value ?? "", Prefix, out var address))
            return BadPath(http);
        if (Query.Limit(limit, out var pageSize) is { } badLimit)
            return badLimit;
        if (Reads.ParsePoint(rev, consistency, wait, out var point) is { } badRead)
            return badRead;
        if (!Conditions.TryParseRead(ifNoneMatch, 0, out _, out var error))
            return Query.Bad(error);
        if (access.Check(http, AccessLevel.Read) is { } denied)
            return denied;

        var (view, unavailable) = await reads.ViewAsync(point, cancellationToken);
        if (view is null)
            return unavailable!;
        var lookup = view.Get(address.Path);
        switch (lookup.Status)
        {
            case ReadStatus.NotFound:
                return Problem.Of(ProblemKind.NotFound, $"Nothing exists at {address.Path}.", address.Path);
            case ReadStatus.NotDir:
                return Problem.Of(ProblemKind.NotDir, $"An ancestor of {address.Path} is a file.", address.Path);
        }

        var headers = http.Response.Headers;
        headers[DoozerHeaders.Rev] = view.Rev.ToString(CultureInfo.InvariantCulture);
        if (lookup.Kind == NodeKind.File)
        {
            if (address.TrailingSlash)
                return Problem.Of(ProblemKind.NotDir, $"{address.Path} is a file, not a directory.", address.Path);
            headers[DoozerHeaders.Kind] = "file";
            headers.ETag = ETag(lookup.Rev);
            headers.XContentTypeOptions = "nosniff";
            Conditions.TryParseRead(ifNoneMatch, lookup.Rev, out var notModified, out _);
            if (notModified)
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            return TypedResults.Bytes(lookup.Value, "application/octet-stream");
        }

        headers[DoozerHeaders.Kind] = "dir";
        var page = view.List(address.Path, after, pageSize);
        var entries = new DirEntryDto[page.Entries.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var e = page.Entries[i];
            entries[i] = e.Kind == NodeKind.File ? new DirEntryDto(e.Name, "file", e.Rev, e.Size) : new DirEntryDto(e.Name, "dir");
        }
        return TypedResults.Ok(new DirListing(address.Path, view.Rev, entries, page.Next));
    }

    private static async Task<Results<WriteResult, ProblemHttpResult>> PutAsync(
        HttpContext http, [Description("The file to write.")] string? path,
        [FromHeader(Name = "If-Match")][Description("\"REV\" (or a list): write only if the file is at that revision; *: only if it exists.")] string? ifMatch,
        [FromHeader(Name = "If-None-Match")][Description("*: write only if nothing exists at the path (create only).")] string? ifNoneMatch,
        Access access, IReplicatedLog log, IOptions<NodeOptions> options, CancellationToken cancellationToken)
    {
        if (!TreeAddress.TryParse(http.Request.Path.Value ?? "", Prefix, out var address) || address.TrailingSlash && !address.IsRoot)
            return BadPath(http);
        if (!Conditions.TryParseWrite(ifMatch, ifNoneMatch, out var precondition, out var error))
            return Query.Bad(error);
        if (access.Check(http, AccessLevel.Write) is { } denied)
            return denied;
        if (!ControlPaths.ClientMayWrite(address.Path))
            return ReadOnly(address.Path);

        var max = options.Value.MaxValueBytes;
        var value = await Body.ReadAsync(http.Request, max, cancellationToken);
        if (value is null)
            return Problem.Of(ProblemKind.ValueTooLarge, $"Values are at most {max} bytes on this node.", address.Path, ("maxValueBytes", max));
        if (address.IsRoot)
            return Problem.Of(ProblemKind.IsDir, "The root is a directory.", address.Path);

        var result = await log.ProposeAsync(new SetCommand(address.Path, value, precondition), cancellationToken);
        if (result.Status != ApplyStatus.Ok)
            return Problem.Of(result, address.Path);
        var headers = http.Response.Headers;
        headers.ETag = ETag(result.Rev);
        headers[DoozerHeaders.Rev] = result.Rev.ToString(CultureInfo.InvariantCulture);
        var body = new WriteResponse(address.Path, result.Rev);
        return result.Created ? WriteResult.Created(Prefix + address.Path, body) : WriteResult.Ok(body);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext http, [Description("The file or directory to delete.")] string? path, [Description("Delete a directory and everything below it, at one revision.")] bool? recursive,
        [FromHeader(Name = "If-Match")][Description("\"REV\" (or a list): delete only if the file is at that revision; *: only if it exists.")] string? ifMatch,
        [FromHeader(Name = "If-None-Match")][Description("Not supported on DELETE: sending it is 400.")] string? ifNoneMatch,
        Access access, IReplicatedLog log, CancellationToken cancellationToken)
    {
        if (!TreeAddress.TryParse(http.Request.Path.Value ?? "", Prefix, out var address) || address.TrailingSlash && !address.IsRoot)
            return BadPath(http);
        if (!string.IsNullOrEmpty(ifNoneMatch))
            return Query.Bad("If-None-Match does not apply to DELETE; use If-Match.");
        if (!Conditions.TryParseWrite(ifMatch, default, out var precondition, out var error))
            return Query.Bad(error);
        var subtree = recursive == true;
        if (subtree && precondition.Kind != PreconditionKind.None)
            return Query.Bad("A recursive delete takes no precondition.");
        if (access.Check(http, AccessLevel.Write) is { } denied)
            return denied;
        if (!(subtree ? ControlPaths.ClientMayDeleteTree(address.Path) : ControlPaths.ClientMayWrite(address.Path)))
            return ReadOnly(address.Path);
        if (address.IsRoot && !subtree)
            return Problem.Of(ProblemKind.IsDir, "The root is a directory: delete it with recursive=true.", address.Path);

        Command command = subtree ? new DeleteTreeCommand(address.Path) : new DeleteCommand(address.Path, precondition);
        var result = await log.ProposeAsync(command, cancellationToken);
        if (result.Status != ApplyStatus.Ok)
            return Problem.Of(result, address.Path);
        http.Response.Headers[DoozerHeaders.Rev] = result.Rev.ToString(CultureInfo.InvariantCulture);
        return TypedResults.NoContent();
    }

    // GET and HEAD fail the same ways.
    private static RouteHandlerBuilder ProducesReadProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status410Gone)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .ProducesProblem(StatusCodes.Status504GatewayTimeout);

    private static string ETag(long rev) => $"\"{rev.ToString(CultureInfo.InvariantCulture)}\"";

    private static ProblemHttpResult BadPath(HttpContext http) =>
        Problem.Of(ProblemKind.BadPath,
            "A path is / or /name(/name)*; a name is 1-255 of A-Z a-z 0-9 . _ - and not . or ..; only GET may end in /.",
            http.Request.Path.Value);

    private static ProblemHttpResult ReadOnly(string path) =>
        Problem.Of(ProblemKind.ReadOnlyPath, $"{path} is in the cluster's own subtree: clients may write only the voter slots /ctl/cal/N.", path);
}
