using Doozer.Store.Commands;
using Doozer.Store.Tree;

namespace Doozer.Server.Replication;

/// <summary>
/// The node's copy of the tree, fed by exactly one apply loop, read by everyone else.
/// Readers take immutable views of the store; waiters (reads at a future revision, waits, watch streams)
/// await <see cref="NextApplyAsync"/>, which completes after each applied batch.
/// </summary>
public sealed class AppliedTree
{
    private TaskCompletionSource _nextApply = NewSignal();

    private volatile TreeStore _store;

    public AppliedTree(int historyLimit) => _store = new TreeStore(historyLimit);

    /// <summary>Only the apply loop may call <see cref="TreeStore.Apply"/>; anyone may read.</summary>
    public TreeStore Store => _store;

    /// <summary>
    /// Replaces the whole store with one restored from a snapshot (a restart, or a node too far behind to catch up
    /// from the log). History before the snapshot is gone: a watch that needs it ends with too-late.
    /// Called by the apply loop only; readers holding the old store finish on it.
    /// </summary>
    public void Install(TreeStore store) => _store = store;

    public long Rev => Store.Rev;

    /// <summary>Number of commands applied since start, nops included: what /metrics reports.</summary>
    public long CommandsApplied => Interlocked.Read(ref _commandsApplied);

    private long _commandsApplied;

    /// <summary>Applies one decided command. Called by the apply loop only, in log order.</summary>
    public ApplyResult Apply(Command command)
    {
        Interlocked.Increment(ref _commandsApplied);
        return _store.Apply(command);
    }

    /// <summary>Wakes every waiter after a batch of <see cref="Apply"/> calls. Called by the apply loop only.</summary>
    public void Publish() => Interlocked.Exchange(ref _nextApply, NewSignal()).SetResult();

    /// <summary>
    /// Completes after the next <see cref="Publish"/>. Take it before reading <see cref="Rev"/>, so that an apply
    /// between the two is never missed.
    /// </summary>
    public Task NextApplyAsync() => Volatile.Read(ref _nextApply).Task;

    /// <summary>Waits until the tree has applied revision <paramref name="rev"/>; false on timeout.</summary>
    public async Task<bool> WaitForRevAsync(long rev, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        while (true)
        {
            var next = NextApplyAsync();
            if (Store.Rev >= rev)
                return true;
            var remaining = timeout - time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
                return false;
            try
            {
                await next.WaitAsync(remaining, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return Store.Rev >= rev;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
