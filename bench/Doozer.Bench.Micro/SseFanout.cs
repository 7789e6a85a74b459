using System.Net.ServerSentEvents;
using BenchmarkDotNet.Attributes;
using Doozer.Server.Replication;
using Doozer.Server.Watches;
using Doozer.Store.Commands;
using Doozer.Store.Paths;

namespace Doozer.Bench.Micro;

/// <summary>
/// Watch fan-out inside the node: N open watch streams on /** (WatchHub.StreamAsync, as the /watch endpoint uses it),
/// one write applied and published, every stream woken and handed its event. One operation is one event delivered to
/// one stream (the SSE framing and the socket write that follow in the endpoint are not included).
/// </summary>
public class SseFanout
{
    private readonly ReadOnlyMemory<byte> _value = "0123456789abcdef"u8.ToArray();
    private readonly CancellationTokenSource _stop = new();
    private AppliedTree _tree = null!;
    private IAsyncEnumerator<SseItem<string>>[] _streams = null!;
    private ValueTask<bool>[] _next = null!;
    private SetCommand _write = null!;

    private const int Streams = 1000;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _tree = new AppliedTree(100_000);
        var hub = new WatchHub(_tree, TimeProvider.System);
        _write = new SetCommand("/bench/watch/k", _value, Precondition.None);
        if (!Glob.TryParse("/**", out var glob))
            throw new InvalidOperationException("glob");
        _streams = new IAsyncEnumerator<SseItem<string>>[Streams];
        _next = new ValueTask<bool>[Streams];
        for (var i = 0; i < Streams; i++)
        {
            _streams[i] = hub.StreamAsync(glob, _tree.Rev + 1, utf8: false, TimeSpan.FromHours(1), _stop.Token).GetAsyncEnumerator();
            // The opening progress event, then each stream waits for the next write.
            await _streams[i].MoveNextAsync();
            _next[i] = _streams[i].MoveNextAsync();
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _stop.CancelAsync();
        foreach (var stream in _streams)
        {
            try
            {
                await stream.DisposeAsync();
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stop.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Streams)]
    public async Task<int> OneWriteToEveryStream()
    {
        _tree.Apply(_write);
        _tree.Publish();
        var bytes = 0;
        for (var i = 0; i < _streams.Length; i++)
        {
            await _next[i];
            bytes += _streams[i].Current.Data.Length;
            _next[i] = _streams[i].MoveNextAsync();
        }
        return bytes;
    }
}
