using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Doozer.Server.Replication;
using Doozer.Server.Watches;
using Doozer.Store.Commands;
using Doozer.Store.Paths;

namespace Doozer.Bench.Micro;

/// <summary>
/// Watch fan-out inside the node: N open watch streams on /** (WatchHub.StreamAsync, as the /watch endpoint runs it),
/// one write applied and published, every stream woken, its SSE bytes written to its response pipe and flushed.
/// One operation is one event delivered to one stream. The pipe is a sink that counts flushes (no socket): what is
/// measured is the wake-up, the history read, the framing and the write, not the kernel's send.
/// </summary>
public class SseFanout
{
    private readonly ReadOnlyMemory<byte> _value = "0123456789abcdef"u8.ToArray();
    private readonly CancellationTokenSource _stop = new();
    private AppliedTree _tree = null!;
    private FlushCountingSink[] _sinks = null!;
    private Task[] _streams = null!;
    private FlushCounter _flushes = null!;
    private SetCommand _write = null!;

    // The target of PERFORMANCE.md: 10,000 watchers on one node.
    private const int Streams = 10_000;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _tree = new AppliedTree(100_000);
        var hub = new WatchHub(_tree, TimeProvider.System);
        _write = new SetCommand("/bench/watch/k", _value, Precondition.None);
        if (!Glob.TryParse("/**", out var glob))
            throw new InvalidOperationException("glob");
        _flushes = new FlushCounter();
        _sinks = new FlushCountingSink[Streams];
        _streams = new Task[Streams];
        // Each stream's opening progress event is one flush.
        var opened = _flushes.Expect(Streams);
        for (var i = 0; i < Streams; i++)
        {
            _sinks[i] = new FlushCountingSink(_flushes);
            _streams[i] = hub.StreamAsync(_sinks[i], glob, _tree.Rev + 1, utf8: false, TimeSpan.FromHours(1), _stop.Token);
        }
        await opened;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_streams);
        _stop.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Streams)]
    public async Task<long> OneWriteToEveryStream()
    {
        var delivered = _flushes.Expect(Streams);
        _tree.Apply(_write);
        _tree.Publish();
        await delivered;
        return _sinks[0].Written;
    }

    /// <summary>Completes a task once the expected number of flushes has happened, across all sinks.</summary>
    private sealed class FlushCounter
    {
        private int _remaining;
        private TaskCompletionSource _done = new();

        public Task Expect(int flushes)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _remaining, flushes);
            return _done.Task;
        }

        public void Flushed()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
                _done.TrySetResult();
        }
    }

    /// <summary>A response pipe that keeps nothing: it counts the bytes written and reports each flush.</summary>
    private sealed class FlushCountingSink(FlushCounter flushes) : PipeWriter
    {
        private readonly byte[] _buffer = new byte[64 * 1024];

        public long Written { get; private set; }

        public override void Advance(int bytes) => Written += bytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer;

        public override Span<byte> GetSpan(int sizeHint = 0) => _buffer;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            flushes.Flushed();
            return ValueTask.FromResult(new FlushResult(cancellationToken.IsCancellationRequested, false));
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }
}
