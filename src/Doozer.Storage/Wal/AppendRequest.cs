using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Doozer.Storage.Wal;

/// <summary>
/// One caller's batch waiting for the writer, and the pooled awaitable it completes: group commit allocates nothing
/// per append once the pool is warm.
/// </summary>
internal sealed class AppendRequest : IValueTaskSource<long>
{
    // Enough for the α window of concurrent proposals; beyond it requests are simply garbage collected.
    private const int PoolLimit = 256;

    private static readonly ConcurrentQueue<AppendRequest> Pool = new();

    // Continuations run on the thread pool, never on the writer thread: the writer must get back to fsyncing.
    private ManualResetValueTaskSourceCore<long> _core = new() { RunContinuationsAsynchronously = true };

    public IReadOnlyList<WalRecord> Records { get; private set; } = [];

    public long LastIndex { get; set; }

    public static AppendRequest Rent(IReadOnlyList<WalRecord> records)
    {
        if (!Pool.TryDequeue(out var request))
        {
            request = new AppendRequest();
        }
        request.Records = records;
        return request;
    }

    public ValueTask<long> AsValueTask() => new(this, _core.Version);

    public void Complete() => _core.SetResult(LastIndex);

    public void Fail(Exception error) => _core.SetException(error);

    public long GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            Records = [];
            if (Pool.Count < PoolLimit)
            {
                Pool.Enqueue(this);
            }
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
