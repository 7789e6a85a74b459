using System.Threading.Channels;
using Doozer.Server.Hosting;
using Doozer.Store.Commands;
using Doozer.Store.Tree;

namespace Doozer.Server.Replication;

/// <summary>
/// The log of a one-node cluster: every command is decided the moment it arrives, in arrival order.
/// One loop drains everything that arrived since its last turn (group commit), applies it in order, then wakes the
/// waiters once per batch. The Multi-Paxos log keeps this shape: only "decided" changes meaning.
/// </summary>
public sealed partial class SingleNodeLog(AppliedTree tree, NodeIdentity self, ILogger<SingleNodeLog> logger) : BackgroundService, IReplicatedLog
{
    private readonly Channel<Proposal> _proposals = Channel.CreateUnbounded<Proposal>(new UnboundedChannelOptions { SingleReader = true });

    public bool IsReady => ExecuteTask is { IsCompleted: false };

    public string? LeaderId => IsReady ? self.Id : null;

    // Every write this node acknowledged was applied before its answer: the local tree is already up to date.
    public ValueTask ReadBarrierAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<ApplyResult> ProposeAsync(Command command, CancellationToken cancellationToken)
    {
        var proposal = new Proposal(command);
        if (!_proposals.Writer.TryWrite(proposal))
            throw new InvalidOperationException("The log is stopped.");
        // The command is decided once written; cancelling only stops the caller from waiting for its result.
        return new ValueTask<ApplyResult>(proposal.Result.Task.WaitAsync(cancellationToken));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _proposals.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var proposal))
                {
                    ApplyResult result;
                    try
                    {
                        result = tree.Apply(proposal.Command);
                    }
                    catch (Exception e)
                    {
                        // Apply is deterministic and total: an exception here is a bug, and the node must not go on
                        // with a tree that may differ from its peers'.
                        LogApplyFailed(e);
                        proposal.Result.TrySetException(e);
                        throw;
                    }
                    proposal.Result.TrySetResult(result);
                }
                tree.Publish();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _proposals.Writer.TryComplete();
            while (reader.TryRead(out var left))
                left.Result.TrySetCanceled(CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Applying a decided command failed; the node stops applying")]
    private partial void LogApplyFailed(Exception exception);

    private sealed record Proposal(Command Command)
    {
        public TaskCompletionSource<ApplyResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
