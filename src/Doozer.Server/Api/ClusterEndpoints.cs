using System.Globalization;
using System.Text;
using Doozer.Contracts;
using Doozer.Server.Hosting;
using Doozer.Server.Replication;
using Doozer.Server.Security;
using Doozer.Store.Tree;
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
        HttpContext http, Access access, AppliedTree tree, NodeIdentity self, IReplicatedLog log)
    {
        if (access.Check(http, AccessLevel.Read) is { } denied)
            return denied;
        var view = tree.Store.Current;
        var voters = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slot in view.List(ControlPaths.Slots, null, Query.MaxLimit).Entries)
        {
            var id = Text(view, $"{ControlPaths.Slots}/{slot.Name}");
            if (id.Length > 0)
                voters.Add(id);
        }
        var members = new List<MemberDto>();
        foreach (var node in view.List(ControlPaths.Nodes, null, Query.MaxLimit).Entries)
        {
            var dir = $"{ControlPaths.Nodes}/{node.Name}";
            members.Add(new MemberDto(
                node.Name,
                Text(view, dir + "/name"),
                Text(view, dir + "/url"),
                Text(view, dir + "/peerUrl"),
                voters.Contains(node.Name) ? "voter" : "learner",
                node.Name == self.Id ? view.Rev : 0));
        }
        http.Response.Headers[DoozerHeaders.Rev] = view.Rev.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(new ClusterResponse(Text(view, ControlPaths.ClusterName), self.Id, log.LeaderId, view.Rev, members));
    }

    private static string Text(StoreView view, string path)
    {
        var lookup = view.Get(path);
        return lookup is { Status: ReadStatus.Ok, Kind: NodeKind.File } ? Encoding.UTF8.GetString(lookup.Value.Span) : "";
    }
}
