using System.ComponentModel;
using System.Globalization;
using Doozer.Contracts;
using Doozer.Server.Hosting;
using Doozer.Server.Replication;
using Doozer.Server.Security;
using Doozer.Store.Commands;
using Doozer.Store.Tree;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Doozer.Server.Api;

/// <summary>/rev, /nop and /self: doozer's REV, NOP and SELF (API.md 3.2).</summary>
public static class NodeEndpoints
{
    public static IEndpointRouteBuilder MapNode(this IEndpointRouteBuilder app)
    {
        var node = app.MapGroup("").WithTags("Node");
        node.MapGet("/rev", RevAsync)
            .WithName("GetRev")
            .WithSummary("The current store revision")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        node.MapPost("/nop", NopAsync)
            .WithName("Nop")
            .WithSummary("Commit an empty entry through consensus and return once it is decided: a barrier")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        node.MapGet("/self", Self)
            .WithName("GetSelf")
            .WithSummary("The node answering: its id and name")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<Results<Ok<RevResponse>, ProblemHttpResult>> RevAsync(
        HttpContext http, [Description("linearizable (default) or stale.")] string? consistency, Access access, Reads reads, CancellationToken cancellationToken)
    {
        if (Query.Consistency(consistency, out var stale) is { } problem)
            return problem;
        if (access.Check(http, AccessLevel.Read) is { } denied)
            return denied;
        var (view, unavailable) = await reads.ViewAsync(new ReadPoint(null, stale, TimeSpan.Zero), cancellationToken);
        if (view is null)
            return unavailable!;
        http.Response.Headers[DoozerHeaders.Rev] = view.Rev.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(new RevResponse(view.Rev));
    }

    private static async Task<Results<Ok<RevResponse>, ProblemHttpResult>> NopAsync(
        HttpContext http, Access access, IReplicatedLog log, CancellationToken cancellationToken)
    {
        if (access.Check(http, AccessLevel.Write) is { } denied)
            return denied;
        var result = await log.ProposeAsync(new NopCommand(), cancellationToken);
        if (result.Status != ApplyStatus.Ok)
            return Problem.Of(result, "/");
        http.Response.Headers[DoozerHeaders.Rev] = result.Rev.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(new RevResponse(result.Rev));
    }

    private static Results<Ok<SelfResponse>, ProblemHttpResult> Self(HttpContext http, Access access, NodeIdentity self, AppliedTree tree)
    {
        if (access.Check(http, AccessLevel.Read) is { } denied)
            return denied;
        http.Response.Headers[DoozerHeaders.Rev] = tree.Rev.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(new SelfResponse(self.Id, self.Name));
    }
}
