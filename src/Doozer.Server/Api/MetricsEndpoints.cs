using Doozer.Server.Hosting;
using Doozer.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Doozer.Server.Api;

/// <summary>/metrics in Prometheus text format (API.md 3.7); it needs the secret when one is set.</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapNodeMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", ExportAsync)
            .WithTags("Operations")
            .WithName("Metrics")
            .WithSummary("Prometheus metrics: requests, store revision, history window, watch streams")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ExportAsync(
        HttpContext http, Access access, NodeMetrics metrics, CancellationToken cancellationToken)
    {
        if (access.Check(http, AccessLevel.Read) is { } denied)
            return denied;
        http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }
}
