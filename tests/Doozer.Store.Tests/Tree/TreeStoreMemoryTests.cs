using Doozer.Store.Commands;
using Doozer.Store.Tree;
using Xunit.Abstractions;

namespace Doozer.Store.Tests.Tree;

/// <summary>Memory bounds of API.md's costs. No timing assertions: the machine is shared.</summary>
public class TreeStoreMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void A_million_files_of_100_bytes_fit_well_under_1_GiB()
    {
        const int dirs = 1000;
        const int filesPerDir = 1000;
        // A short history keeps this test quick: revisions kept in history survive young collections and cost
        // time to promote. What history costs in memory is bounded by the next test.
        const int history = 1000;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new TreeStore(history);
        var value = new byte[100];
        for (var f = 0; f < filesPerDir; f++)
        {
            for (var d = 0; d < dirs; d++)
            {
                value[0] = (byte)f;
                // xunit's Assert.Equal costs more than the set itself; check cheaply in the loop.
                if (store.Apply(new SetCommand($"/d{d:D4}/f{f:D4}", value, Precondition.None)).Status != ApplyStatus.Ok)
                    Assert.Fail($"set /d{d:D4}/f{f:D4} failed");
            }
        }
        var growth = GC.GetTotalMemory(forceFullCollection: true) - before;
        output.WriteLine($"1,000,000 files of 100 bytes, history {history}: {growth / (1024.0 * 1024.0):F0} MiB ({growth / 1_000_000.0:F0} bytes per file)");

        Assert.Equal(dirs * filesPerDir, store.Rev);
        Assert.Equal(dirs, store.Current.Get("/").EntryCount);
        Assert.Equal(filesPerDir, store.Current.Get("/d0999").EntryCount);
        var oldest = store.At(store.OldestRev)!;
        Assert.Equal(100, oldest.Get("/d0500/f0998").Value.Length);
        Assert.Equal(ReadStatus.NotFound, oldest.Get("/d0999/f0999").Status);
        Assert.True(growth < 1L << 30, $"grew {growth} bytes");
        // Well under: half a GiB leaves room for the history kept by default.
        Assert.True(growth < 512L << 20, $"grew {growth} bytes");
        GC.KeepAlive(store);
    }

    [Fact]
    public void History_costs_memory_in_proportion_to_the_changes_kept_not_to_the_tree()
    {
        // A tree of 20,000 files, then 100,000 overwrites of one file, all kept in history. A copy of the tree per
        // revision would need gigabytes; path copying keeps a few hundred bytes per revision.
        const int revisions = 100_000;
        var store = new TreeStore(revisions + 20_000);
        var value = new byte[16];
        for (var i = 0; i < 20_000; i++)
            store.Apply(new SetCommand($"/t/d{i % 100}/f{i}", value, Precondition.None));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < revisions; i++)
            store.Apply(new SetCommand("/t/d7/f7", value, Precondition.None));
        var growth = GC.GetTotalMemory(forceFullCollection: true) - before;
        output.WriteLine($"{revisions} revisions of history over 20,000 files: {growth / (1024.0 * 1024.0):F0} MiB ({growth / (double)revisions:F0} bytes per revision)");

        Assert.Equal(20_000 + revisions, store.Rev);
        Assert.Equal(1, store.OldestRev);
        Assert.Equal(20_000 + 1, store.At(20_001)!.Get("/t/d7/f7").Rev);
        Assert.True(growth < revisions * 2048L, $"grew {growth} bytes for {revisions} revisions");
        GC.KeepAlive(store);
    }
}
