using System.Text;
using Doozer.Server.Api;
using Doozer.Server.Replication;
using Doozer.Store.Commands;
using Doozer.Store.Tree;
using Microsoft.Extensions.Options;

namespace Doozer.Server.Hosting;

/// <summary>
/// Creates a new cluster with this node as its only voter (ARCHITECTURE.md section 4): the cluster name, this
/// node's registration under /ctl/node/ID and voter slot /ctl/cal/0 holding its id. These are ordinary commands
/// through the log, so they take the first revisions, as they did in original doozer.
/// </summary>
public sealed partial class ClusterBootstrap(
    IReplicatedLog log, NodeIdentity self, IOptions<NodeOptions> options, ILogger<ClusterBootstrap> logger) : IHostedService
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the bootstrap commands are applied: /readyz reports it.</summary>
    public bool IsDone => _done.Task.IsCompletedSuccessfully;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var node = $"{ControlPaths.Nodes}/{self.Id}";
        string[][] files =
        [
            [ControlPaths.ClusterName, options.Value.Cluster],
            [node + "/name", self.Name],
            [node + "/url", self.Url],
            [node + "/peerUrl", ""],
            [node + "/version", typeof(ClusterBootstrap).Assembly.GetName().Version?.ToString() ?? ""],
            [ControlPaths.Slots + "/0", self.Id],
        ];
        foreach (var file in files)
        {
            var command = new SetCommand(file[0], Encoding.UTF8.GetBytes(file[1]), Precondition.None) { Origin = CommandOrigin.Cluster };
            var result = await log.ProposeAsync(command, cancellationToken);
            if (result.Status != ApplyStatus.Ok)
                throw new InvalidOperationException($"Bootstrap could not write {file[0]}: {result.Status}.");
        }
        LogBootstrapped(self.Id, self.Name, options.Value.Cluster);
        _done.TrySetResult();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrapped cluster {Cluster} with node {Id} ({Name}) as its only voter")]
    private partial void LogBootstrapped(string id, string name, string cluster);
}
