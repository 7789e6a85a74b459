using System.Threading.Tasks.Sources;

namespace Doozer.Server.Watches;

/// <summary>
/// What a watch stream waits on between batches: the next apply, its progress deadline, or cancellation, whichever
/// comes first, without allocating per wait. One per stream, reused for every wait.
/// </summary>
/// <remarks>
/// With 10,000 streams every write wakes 10,000 waits, so the obvious <c>applied.WaitAsync(timeout, time, token)</c>
/// (a new task, a new timer and a token registration per stream per write) dominated the cost of a quiet write. Here
/// the timer is created once and re-armed only when it fires (a busy stream's deadline moves later, so the armed timer
/// is early at worst and re-arms itself); the apply signal is registered once per published batch. A wake that arrives
/// while the stream is not waiting (a late timer, an older apply) is dropped; a wake the stream did not need costs one
/// loop that finds nothing to send. The stream resumes inline on the thread that wakes it: the apply continuation and
/// the timer callback already run on the thread pool, and cancellation is moved there.
/// </remarks>
internal sealed class StreamWaiter : IValueTaskSource, IDisposable
{
    private readonly TimeProvider _time;
    private readonly CancellationToken _cancellationToken;
    private readonly Action _onApplied;
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _cancellation;
    private ManualResetValueTaskSourceCore<bool> _core;
    private int _waiting;
    private Task? _watchedApply;
    // The timestamp the timer is armed for; 0 when it is not armed (it fired, or was never armed).
    private long _timerDue;

    public StreamWaiter(TimeProvider time, CancellationToken cancellationToken)
    {
        _time = time;
        _cancellationToken = cancellationToken;
        _onApplied = Wake;
        _timer = time.CreateTimer(static s => ((StreamWaiter)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _cancellation = cancellationToken.UnsafeRegister(
            static s => ThreadPool.UnsafeQueueUserWorkItem(static w => w.Wake(), (StreamWaiter)s!, preferLocal: false), this);
    }

    /// <summary>Completes when <paramref name="applied"/> completes, the clock reaches <paramref name="deadline"/>
    /// (a <see cref="TimeProvider"/> timestamp), or the stream is cancelled; possibly earlier (the caller re-checks).</summary>
    public ValueTask WaitAsync(Task applied, long deadline)
    {
        _core.Reset();
        // Waiting before anything is checked: a wake from here on completes this wait, none is lost.
        Interlocked.Exchange(ref _waiting, 1);
        if (!ReferenceEquals(applied, _watchedApply))
        {
            _watchedApply = applied;
            // Runs Wake on the thread pool when the batch is published (AppliedTree's signal runs its continuations
            // asynchronously), or at once from the pool if it already was.
            applied.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onApplied);
        }
        var due = Volatile.Read(ref _timerDue);
        if (due == 0 || deadline < due)
        {
            Volatile.Write(ref _timerDue, deadline);
            var delay = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
            _timer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        if (_cancellationToken.IsCancellationRequested)
            Wake();
        return new ValueTask(this, _core.Version);
    }

    private void OnTimer()
    {
        Volatile.Write(ref _timerDue, 0);
        Wake();
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
            _core.SetResult(true);
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        _timer.Dispose();
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
