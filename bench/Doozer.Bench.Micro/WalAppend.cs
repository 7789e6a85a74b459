using BenchmarkDotNet.Attributes;
using Doozer.Storage.Wal;

namespace Doozer.Bench.Micro;

/// <summary>
/// Durable appends to the write-ahead log (each completes after its fsync), in a temporary directory on the disk that
/// holds the system's temp folder (TMPDIR; /tmp here is the root ext4 file system, not tmpfs). One operation is one
/// record of 64 bytes (a write command with its path and a 16-byte value is about that size).
/// </summary>
public class WalAppend
{
    private string _directory = null!;
    private WriteAheadLog _log = null!;
    private WalRecord[] _batch = null!;

    /// <summary>Records per AppendAsync call: 1 (one fsync per record) or a slot's worth (one fsync for all).</summary>
    [Params(1, 64)]
    public int RecordsPerAppend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "doozer-wal-bench-" + Guid.NewGuid().ToString("N"));
        _log = WriteAheadLog.Open(_directory);
        var record = new WalRecord(1, new byte[64]);
        _batch = [.. Enumerable.Repeat(record, RecordsPerAppend)];
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>One caller: each append waits for its own fsync.</summary>
    [Benchmark]
    public async Task<long> Append() => await _log.AppendAsync(_batch);
}

/// <summary>
/// Group commit: 16 callers append one 64-byte record each at the same time (one per client write), and the log
/// shares fsyncs among them. One operation is one record.
/// </summary>
public class WalGroupCommit
{
    private const int ConcurrentAppenders = 16;
    private string _directory = null!;
    private WriteAheadLog _log = null!;
    private WalRecord[] _single = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "doozer-wal-bench-" + Guid.NewGuid().ToString("N"));
        _log = WriteAheadLog.Open(_directory);
        _single = [new WalRecord(1, new byte[64])];
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = ConcurrentAppenders)]
    public async Task<long> ConcurrentSingleRecordAppends()
    {
        var tasks = new Task<long>[ConcurrentAppenders];
        for (var i = 0; i < tasks.Length; i++)
            tasks[i] = _log.AppendAsync(_single).AsTask();
        return (await Task.WhenAll(tasks)).Max();
    }
}
