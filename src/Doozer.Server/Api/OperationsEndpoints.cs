using Doozer.Server.Hosting;
using Doozer.Server.Replication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Doozer.Server.Api;

/// <summary>/livez and /readyz for orchestrators (API.md 3.7). They need no secret.</summary>
public static class OperationsEndpoints
{
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("").WithTags("Operations");
        ops.MapGet("/livez", () => TypedResults.Text("ok"))
            .WithName("Livez")
            .WithSummary("The process is up");
        ops.MapGet("/readyz", Ready)
            .WithName("Readyz")
            .WithSummary("The node has a leader and is caught up: ready to serve")
            .Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain");
        return app;
    }

    private static ContentHttpResult Ready(ClusterLog log, ClusterBootstrap bootstrap)
    {
        if (log.IsReady && bootstrap.IsDone)
            return TypedResults.Text("ready");
        var why = !log.Started.IsCompleted ? "starting: " + (bootstrap.IsDone ? "recovering" : "joining the cluster")
            : log.LeaderId is null ? "no leader"
            : !bootstrap.IsDone ? "bootstrapping"
            : "catching up";
        return TypedResults.Text(why, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
