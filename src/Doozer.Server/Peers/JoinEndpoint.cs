using System.Text;
using System.Text.Json;
using Doozer.Server.Hosting;
using Doozer.Server.Replication;
using Doozer.Store.Commands;
using Doozer.Store.Tree;
using Microsoft.Extensions.Options;

namespace Doozer.Server.Peers;

/// <summary>
/// <c>POST /peer/v1/join</c>, the member's half of <c>--attach</c>: checks the cluster name, registers the node under
/// /ctl/node/&lt;id&gt; through the log (so it becomes a learner everywhere), and answers with the configuration
/// history and the peers' addresses once the registration is applied here.
/// </summary>
public static class JoinEndpoint
{
    public static async Task HandleAsync(HttpContext http, ClusterLog log, IOptions<NodeOptions> options)
    {
        JoinRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(http.Request.Body, JoinJsonContext.Default.JoinRequest, http.RequestAborted);
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request is null || !IsNodeId(request.Id) || request.Name.Length == 0 || !Uri.TryCreate(request.PeerUrl, UriKind.Absolute, out _))
        {
            await Fail(http, StatusCodes.Status400BadRequest, "A join request needs a node id, a name and a peer URL.");
            return;
        }
        if (request.Cluster != options.Value.Cluster)
        {
            await Fail(http, StatusCodes.Status409Conflict, $"This node belongs to cluster '{options.Value.Cluster}', not '{request.Cluster}'.");
            return;
        }
        var clash = log.Members.Find(NodeIds.ToConsensusId(request.Id));
        if (clash is not null && clash.Id != request.Id)
        {
            await Fail(http, StatusCodes.Status409Conflict, $"Node id {request.Id} collides with member {clash.Id}; start the joining node with a fresh data directory.");
            return;
        }
        try
        {
            foreach (var (path, value) in ClusterMembers.Registration(request.Id, request.Name, request.Url, request.PeerUrl, request.Version))
            {
                // Only what differs: a node re-attaching after a restart changes nothing it does not have to.
                var current = log.CurrentView.Get(path);
                if (current.Status == ReadStatus.Ok && current.Value.Span.SequenceEqual(Encoding.UTF8.GetBytes(value)))
                    continue;
                var command = new SetCommand(path, Encoding.UTF8.GetBytes(value), Precondition.None) { Origin = CommandOrigin.Cluster };
                var result = await log.ProposeAsync(command, http.RequestAborted);
                if (result.Status != ApplyStatus.Ok)
                {
                    await Fail(http, StatusCodes.Status409Conflict, $"Registering {path} failed: {result.Status}.");
                    return;
                }
            }
        }
        catch (NoQuorumException e)
        {
            http.Response.Headers.RetryAfter = "1";
            await Fail(http, StatusCodes.Status503ServiceUnavailable, e.Message);
            return;
        }
        var response = new JoinResponse(
            [.. log.Configurations.Select(c => new JoinConfiguration(c.AppliedSlot, c.Configuration.Voters, c.Configuration.Learners))],
            [.. log.Members.Members.Where(m => m.PeerUrl.Length > 0).Select(m => new JoinPeer(m.ConsensusId, m.PeerUrl))]);
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, response, JoinJsonContext.Default.JoinResponse, http.RequestAborted);
    }

    private static bool IsNodeId(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static Task Fail(HttpContext http, int status, string detail)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(detail, http.RequestAborted);
    }
}
