using System.Globalization;
using System.Text;
using Doozer.Server.Api;
using Doozer.Server.Replication;
using Doozer.Store.Commands;
using Doozer.Store.Tree;
using Microsoft.Extensions.Options;

namespace Doozer.Server.Hosting;

/// <summary>
/// Creates a new cluster with this node as its only voter (ARCHITECTURE.md section 4): the cluster name, this
/// node's registration under /ctl/node/ID, and the voter slots /ctl/cal/0..N-1 (--slots), the first holding its id.
/// These are ordinary commands through the log, so they take the first revisions, as they did in original doozer.
/// A restarted node has nothing to do, and an attaching node is registered by the member it joins through.
/// </summary>
public sealed partial class ClusterBootstrap(
    ClusterLog log, NodeIdentity self, IOptions<NodeOptions> options, ILogger<ClusterBootstrap> logger) : IHostedService
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once this node's part of forming the cluster is done: /readyz reports it.</summary>
    public bool IsDone => _done.Task.IsCompletedSuccessfully;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Attaching waits for a member, which may take long: the node serves /livez meanwhile, and /readyz says why
        // it is not ready. Without --attach the log starts at once and the bootstrap is done before the node listens.
        if (options.Value.Attach.Length > 0)
        {
            _ = log.Started.ContinueWith(started => { if (started.IsCompletedSuccessfully) _done.TrySetResult(); }, TaskScheduler.Default);
            return;
        }
        var start = await log.Started.WaitAsync(cancellationToken);
        if (start.Bootstrap)
            await BootstrapAsync(cancellationToken);
        _done.TrySetResult();
    }

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        var files = new List<(string Path, string Value)> { (ControlPaths.ClusterName, options.Value.Cluster) };
        files.AddRange(ClusterMembers.Registration(self.Id, self.Name, self.Url, self.PeerUrl, ClusterMembers.Version));
        files.Add((ControlPaths.Slots + "/0", self.Id));
        for (var slot = 1; slot < options.Value.Slots; slot++)
            files.Add((ControlPaths.Slots + "/" + slot.ToString(CultureInfo.InvariantCulture), ""));
        foreach (var (path, value) in files)
        {
            var command = new SetCommand(path, Encoding.UTF8.GetBytes(value), Precondition.None) { Origin = CommandOrigin.Cluster };
            var result = await log.ProposeAsync(command, cancellationToken);
            if (result.Status != ApplyStatus.Ok)
                throw new InvalidOperationException($"Bootstrap could not write {path}: {result.Status}.");
        }
        LogBootstrapped(self.Id, self.Name, options.Value.Cluster, options.Value.Slots);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrapped cluster {Cluster} with node {Id} ({Name}) as its only voter and {Slots} voter slots")]
    private partial void LogBootstrapped(string id, string name, string cluster, int slots);
}
