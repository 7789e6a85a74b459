using BenchmarkDotNet.Attributes;
using Doozer.Store.Commands;
using Doozer.Store.Tree;

namespace Doozer.Bench.Micro;

/// <summary>
/// Applying decided writes to the revisioned tree, with doozerd's default history window (100,000 revisions, full
/// after the warm-up, so each write also retires the oldest revision). One operation is one write.
/// </summary>
public class StoreApply
{
    private const int Writes = 10_000;
    private readonly ReadOnlyMemory<byte> _value = "0123456789abcdef"u8.ToArray();
    private TreeStore _store = null!;
    private SetCommand _one = null!;
    private SetCommand[] _many = null!;
    private byte[][] _encodedMany = null!;

    [GlobalSetup]
    public void Setup()
    {
        _store = new TreeStore(100_000);
        _one = new SetCommand("/bench/one/k", _value, Precondition.None);
        _many = [.. Enumerable.Range(0, 1000).Select(i => new SetCommand($"/bench/many/k{i}", _value, Precondition.None))];
        _encodedMany = [.. _many.Select(CommandCodec.Encode)];
        foreach (var command in _many)
            _store.Apply(command);
    }

    [Benchmark(OperationsPerInvoke = Writes)]
    public long SetOneKey()
    {
        for (var i = 0; i < Writes; i++)
            _store.Apply(_one);
        return _store.Rev;
    }

    [Benchmark(OperationsPerInvoke = Writes)]
    public long SetThousandKeys()
    {
        for (var i = 0; i < Writes; i++)
            _store.Apply(_many[i % _many.Length]);
        return _store.Rev;
    }

    /// <summary>What a node does with a decided command from the log: decode it, then apply it.</summary>
    [Benchmark(OperationsPerInvoke = Writes)]
    public long DecodeAndApplyThousandKeys()
    {
        for (var i = 0; i < Writes; i++)
            _store.Apply(CommandCodec.Decode(_encodedMany[i % _encodedMany.Length]));
        return _store.Rev;
    }

    [Benchmark(OperationsPerInvoke = Writes)]
    public int ReadOneFile()
    {
        var n = 0;
        for (var i = 0; i < Writes; i++)
            n += _store.Current.Get("/bench/many/k7").Value.Length;
        return n;
    }
}
