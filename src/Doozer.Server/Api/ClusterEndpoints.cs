using System.Globalization;
using Doozer.Contracts;
using Doozer.Server.Hosting;
using Doozer.Server.Replication;
using Doozer.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Doozer.Server.Api;

/// <summary>/cluster: the members as the tree records them under /ctl (API.md 3.6; configuration is data).</summary>
public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapCluster(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cluster", Cluster)
            .WithTags("Cluster")
            .WithName("GetCluster")
            .WithSummary("The cluster: its name, the leader and every member with its role")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static Results<Ok<ClusterResponse>, ProblemHttpResult> Cluster(
        HttpContext http, Access access, ClusterLog log, NodeIdentity self)
    {
        if (access.Check(http, AccessLevel.Read) is { } denied)
            return denied;
        var view = log.CurrentView;
        var members = ClusterMembers.Read(view).Members
            .Select(m => new MemberDto(m.Id, m.Name, m.Url, m.PeerUrl, m.IsVoter ? "voter" : "learner", m.Id == self.Id ? view.Rev : null))
            .ToList();
        http.Response.Headers[DoozerHeaders.Rev] = view.Rev.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(new ClusterResponse(ClusterMembers.Text(view, ControlPaths.ClusterName), self.Id, log.LeaderId, view.Rev, members));
    }
}
