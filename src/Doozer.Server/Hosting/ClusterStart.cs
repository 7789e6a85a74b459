using System.Net;
using System.Net.Http.Headers;
using Doozer.Consensus;
using Doozer.Contracts;
using Doozer.Server.Peers;
using Doozer.Server.Replication;
using Microsoft.Extensions.Options;

namespace Doozer.Server.Hosting;

/// <summary>
/// Decides where this node's log begins (ARCHITECTURE.md 4): a restart continues from the data directory; a node
/// with no data and no <c>--attach</c> creates a cluster with itself as the only voter; a node with <c>--attach</c>
/// asks a member to register it and starts from the configuration history the member sends back.
/// </summary>
public sealed partial class ClusterStart(
    IReplicaStorage storage, NodeIdentity self, IOptions<NodeOptions> options, PeerChannel peers, ILogger<ClusterStart> logger) : IStartingPointSource
{
    public async Task<StartingPoint> GetAsync(CancellationToken cancellationToken)
    {
        if (storage.Recover() is { } recovered)
        {
            LogRestart(self.Id);
            return new StartingPoint(recovered, recovered.State.Configurations, [], Bootstrap: false);
        }
        var selfId = NodeIds.ToConsensusId(self.Id);
        if (options.Value.Attach.Length == 0)
            return new StartingPoint(null, [new ConfigurationChange(0, new Configuration([selfId]))], [], Bootstrap: true);
        var joined = await JoinAsync(cancellationToken);
        var history = joined.Configurations.Select(c => new ConfigurationChange(c.AppliedSlot, new Configuration(c.Voters, c.Learners))).ToArray();
        var peers = joined.Peers
            .Where(p => p.Id != selfId && Uri.TryCreate(p.PeerUrl, UriKind.Absolute, out _))
            .Select(p => KeyValuePair.Create(p.Id, new Uri(p.PeerUrl)))
            .ToArray();
        return new StartingPoint(null, history, peers, Bootstrap: false);
    }

    /// <summary>Asks the members named by --attach (or found through them) until one registers this node.</summary>
    private async Task<JoinResponse> JoinAsync(CancellationToken cancellationToken)
    {
        var node = options.Value;
        var request = new JoinRequest(node.Cluster, self.Id, self.Name, self.Url, self.PeerUrl, ClusterMembers.Version);
        using var client = peers.CreateClient(TimeSpan.FromSeconds(10));
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            foreach (var attach in node.Attach)
            {
                foreach (var peerUrl in await PeerUrlsAsync(client, new Uri(attach), cancellationToken))
                {
                    try
                    {
                        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(peerUrl, PeerRoutes.Join))
                        {
                            // The peer listener speaks HTTP/2 only: with prior knowledge in cleartext, by ALPN over TLS.
                            Version = HttpVersion.Version20,
                            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                            Content = JsonContent.Create(request, JoinJsonContext.Default.JoinRequest),
                        };
                        if ((node.PeerSecret ?? node.Secret) is { } secret)
                            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
                        using var response = await client.SendAsync(message, cancellationToken);
                        if (response.StatusCode == HttpStatusCode.Conflict)
                            throw new InvalidOperationException($"{peerUrl} refused to let this node join: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                        if (!response.IsSuccessStatusCode)
                        {
                            LogJoinRefused(peerUrl, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
                            continue;
                        }
                        var joined = await response.Content.ReadFromJsonAsync(JoinJsonContext.Default.JoinResponse, cancellationToken)
                            ?? throw new InvalidOperationException($"{peerUrl} answered the join with nothing.");
                        LogJoined(self.Id, peerUrl);
                        return joined;
                    }
                    catch (HttpRequestException e)
                    {
                        LogJoinFailed(peerUrl, e.Message);
                    }
                    catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        LogJoinFailed(peerUrl, "timed out");
                    }
                }
            }
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }

    /// <summary>
    /// The peer URLs to try for an --attach URL: a client URL answers /cluster with every member's peer URL; anything
    /// else is taken to be a peer URL itself.
    /// </summary>
    private async Task<IReadOnlyList<Uri>> PeerUrlsAsync(HttpClient client, Uri attach, CancellationToken cancellationToken)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(attach, "/cluster"));
            if (options.Value.Secret is { } secret)
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var response = await client.SendAsync(message, cancellationToken);
            if (response.IsSuccessStatusCode &&
                await response.Content.ReadFromJsonAsync(DoozerJsonContext.Default.ClusterResponse, cancellationToken) is { } cluster)
            {
                // The leader first: it registers the node without a forwarding hop.
                var urls = cluster.Members
                    .OrderByDescending(m => m.Id == cluster.Leader)
                    .Select(m => Uri.TryCreate(m.PeerUrl, UriKind.Absolute, out var url) ? url : null)
                    .OfType<Uri>()
                    .ToList();
                if (urls.Count > 0)
                    return urls;
            }
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
        }
        return [attach];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restarting node {Id} from its data directory")]
    private partial void LogRestart(string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Id} registered through {PeerUrl}; catching up as a learner")]
    private partial void LogJoined(string id, Uri peerUrl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Join through {PeerUrl} answered {Status}: {Detail}; trying again")]
    private partial void LogJoinRefused(Uri peerUrl, int status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Join through {PeerUrl} failed: {Reason}; trying again")]
    private partial void LogJoinFailed(Uri peerUrl, string reason);
}
