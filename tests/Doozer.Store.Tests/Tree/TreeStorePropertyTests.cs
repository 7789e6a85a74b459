using System.Text;
using Doozer.Store.Commands;
using Doozer.Store.Paths;
using Doozer.Store.Tests.Paths;
using Doozer.Store.Tree;

namespace Doozer.Store.Tests.Tree;

/// <summary>Random command sequences applied to the store and to <see cref="TreeOracle"/>; every read must agree.</summary>
public class TreeStorePropertyTests
{
    private static readonly string[] Names = ["a", "b", "b-x", "b.c", "B"];
    private static readonly string[] Globs = ["/**", "/*", "/b/**", "/**/a", "/b*", "/*/*", "/b?x/**", "/a/b/*", "/**b**", "/B", "/ctl/**"];

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        var baseSeed = Environment.TickCount & 0x7FFFFFFF;
        for (var i = 0; i < 24; i++)
            data.Add(baseSeed + i);
        // Fixed seeds too, so a run always covers the same ground at least once.
        foreach (var seed in new[] { 1, 2, 3, 42 })
            data.Add(seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Store_agrees_with_the_oracle_at_every_revision_in_the_window(int seed)
    {
        try
        {
            Run(seed);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"seed {seed}: {e.Message}\n{e.StackTrace}");
        }
    }

    private static void Run(int seed)
    {
        var random = new Random(seed);
        var historyLimit = random.Next(4) switch { 0 => 1, 1 => random.Next(2, 10), _ => random.Next(10, 60) };
        var store = new TreeStore(historyLimit);
        var oracle = new TreeOracle();
        var history = new Dictionary<long, (TreeOracle State, List<(string Path, ChangeKind Kind, byte[] Value)> Changes)>
        {
            [0] = (oracle.Clone(), []),
        };

        var steps = random.Next(150, 400);
        for (var step = 0; step < steps; step++)
        {
            var command = RandomCommand(random, oracle.Rev);
            var expected = oracle.Apply(command);
            var actual = store.Apply(command);
            var what = $"step {step} {Describe(command)}";
            Assert.True(expected.Status == actual.Status, $"{what}: status {actual.Status}, expected {expected.Status}");
            Assert.True(oracle.Rev == actual.Rev, $"{what}: rev {actual.Rev}, expected {oracle.Rev}");
            Assert.Equal(oracle.Rev, store.Rev);
            if (expected.Status == ApplyStatus.RevMismatch)
                Assert.True(expected.CurrentRev == actual.CurrentRev, $"{what}: currentRev {actual.CurrentRev}, expected {expected.CurrentRev}");
            if (expected.Status == ApplyStatus.Ok)
                Assert.True(expected.Created == actual.Created, $"{what}: created");
            AssertChanges(expected.Changes, oracle.Rev, actual.Changes, what);
            if (expected.Changes.Count > 0)
                history[oracle.Rev] = (oracle.Clone(), expected.Changes);

            CheckView(store.Current, oracle, random, what);
            if (step % 40 == 0 || step == steps - 1)
                CheckWindow(store, history, random, what);
        }

        var restored = TreeStore.FromSnapshot(store.ToSnapshot(), historyLimit);
        Assert.Equal(store.Rev, restored.Rev);
        Assert.Equal(store.Rev, restored.OldestRev);
        Assert.Null(restored.At(store.Rev - 1));
        CheckView(restored.Current, oracle, random, "after snapshot round trip");
        Assert.Equal(store.ToSnapshot(), restored.ToSnapshot());
    }

    private static void CheckWindow(
        TreeStore store,
        Dictionary<long, (TreeOracle State, List<(string, ChangeKind, byte[])> Changes)> history,
        Random random,
        string what)
    {
        var oldest = Math.Max(0, store.Rev - store.HistoryLimit + 1);
        Assert.Equal(oldest, store.OldestRev);
        if (oldest > 0)
        {
            Assert.Null(store.At(oldest - 1));
            Assert.Empty(store.ChangesAt(oldest - 1));
        }
        Assert.Null(store.At(store.Rev + 1));
        for (var rev = oldest; rev <= store.Rev; rev++)
        {
            var view = store.At(rev);
            Assert.NotNull(view);
            Assert.Equal(rev, view.Rev);
            var (state, changes) = history[rev];
            CheckView(view, state, random, $"{what}, at rev {rev}");
            if (rev > 0)
                AssertChanges(changes, rev, store.ChangesAt(rev), $"{what}, ChangesAt({rev})");
        }
    }

    private static void CheckView(StoreView view, TreeOracle oracle, Random random, string what)
    {
        foreach (var path in AllPaths())
        {
            var actual = view.Get(path);
            if (path != "/" && oracle.AncestorIsFile(path))
            {
                Assert.True(actual.Status == ReadStatus.NotDir, $"{what}: Get({path}) = {actual.Status}, expected NotDir");
            }
            else if (oracle.Files.TryGetValue(path, out var file))
            {
                Assert.True(actual.Status == ReadStatus.Ok && actual.Kind == NodeKind.File, $"{what}: Get({path}) should be a file");
                Assert.Equal(file.Rev, actual.Rev);
                Assert.Equal(file.Value, actual.Value.ToArray());
                var asDir = view.List(path, null, 10);
                Assert.Equal((ReadStatus.Ok, NodeKind.File, 0), (asDir.Status, asDir.Kind, asDir.Entries.Count));
            }
            else if (oracle.IsDir(path))
            {
                var children = oracle.Children(path);
                Assert.True(actual.Status == ReadStatus.Ok && actual.Kind == NodeKind.Dir, $"{what}: Get({path}) should be a dir");
                Assert.Equal(children.Count, actual.EntryCount);
                CheckListing(view, path, children, random, what);
            }
            else
            {
                Assert.True(actual.Status == ReadStatus.NotFound, $"{what}: Get({path}) = {actual.Status}, expected NotFound");
                Assert.Equal(ReadStatus.NotFound, view.List(path, null, 10).Status);
            }
        }

        var globText = random.Next(3) == 0 ? GlobTests.RandomGlob(random) : Globs[random.Next(Globs.Length)];
        Assert.True(Glob.TryParse(globText, out var glob));
        var regex = GlobTests.ToRegex(globText);
        var expected = oracle.Files.Where(f => regex.IsMatch(f.Key)).ToList();
        var limit = random.Next(1, 6);
        var walked = new List<WalkFile>();
        string? after = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages <= expected.Count + 1, $"{what}: walk {globText} does not end");
            var page = view.Walk(glob, after, limit);
            Assert.True(page.Files.Count <= limit);
            walked.AddRange(page.Files);
            if (page.Next is null)
                break;
            Assert.Equal(page.Files[^1].Path, page.Next);
            after = page.Next;
        }
        Assert.True(
            expected.Select(f => f.Key).SequenceEqual(walked.Select(f => f.Path)),
            $"{what}: walk {globText} limit {limit} gave [{string.Join(", ", walked.Select(f => f.Path))}], expected [{string.Join(", ", expected.Select(f => f.Key))}]");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Value.Rev, walked[i].Rev);
            Assert.Equal(expected[i].Value.Value, walked[i].Value.ToArray());
        }

        // A walk from an arbitrary "after", existing or not, gives exactly the matching files after it.
        var from = random.Next(2) == 0 ? RandomPath(random) : "/";
        var tail = view.Walk(glob, from, 1000).Files.Select(f => f.Path);
        Assert.Equal(expected.Select(f => f.Key).Where(p => TreePathTests.ReferenceCompare(p, from) > 0), tail);
    }

    private static void CheckListing(
        StoreView view, string path, SortedDictionary<string, (byte[] Value, long Rev)?> children, Random random, string what)
    {
        var limit = random.Next(1, 5);
        var listed = new List<DirEntry>();
        string? after = null;
        while (true)
        {
            var page = view.List(path, after, limit);
            Assert.Equal((ReadStatus.Ok, NodeKind.Dir), (page.Status, page.Kind));
            Assert.True(page.Entries.Count <= limit);
            listed.AddRange(page.Entries);
            if (page.Next is null)
                break;
            Assert.Equal(page.Entries[^1].Name, page.Next);
            after = page.Next;
        }
        var expected = children.Select(c => c.Value is { } file
            ? new DirEntry(c.Key, NodeKind.File, file.Rev, file.Value.Length)
            : new DirEntry(c.Key, NodeKind.Dir, 0, 0)).ToList();
        Assert.True(expected.SequenceEqual(listed), $"{what}: List({path}) limit {limit} differs");
    }

    private static void AssertChanges(
        List<(string Path, ChangeKind Kind, byte[] Value)> expected, long rev, IReadOnlyList<Change> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} changes, expected {expected.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(rev, actual[i].Rev);
            Assert.Equal(expected[i].Path, actual[i].Path);
            Assert.Equal(expected[i].Kind, actual[i].Kind);
            Assert.Equal(expected[i].Value, actual[i].Value.ToArray());
        }
    }

    private static IEnumerable<string> AllPaths()
    {
        yield return "/";
        foreach (var a in Names)
        {
            yield return "/" + a;
            foreach (var b in Names)
            {
                yield return $"/{a}/{b}";
                foreach (var c in Names)
                    yield return $"/{a}/{b}/{c}";
            }
        }
        foreach (var p in new[] { "/ctl", "/ctl/cal", "/ctl/cal/1", "/ctl/cal/2", "/ctl/node", "/ctl/node/n1", "/ctl/node/n1/addr", "/ctl/name" })
            yield return p;
    }

    private static string RandomPath(Random random)
    {
        var depth = random.Next(1, 4);
        return "/" + string.Join('/', Enumerable.Range(0, depth).Select(_ => Names[random.Next(Names.Length)]));
    }

    private static Command RandomCommand(Random random, long rev)
    {
        var roll = random.Next(100);
        if (roll < 12)
            return RandomControlCommand(random, rev);
        var path = random.Next(40) == 0 ? "/" : RandomPath(random);
        return roll switch
        {
            < 60 => new SetCommand(path, RandomValue(random), RandomPrecondition(random, rev)),
            < 82 => new DeleteCommand(path, RandomPrecondition(random, rev)),
            < 95 => new DeleteTreeCommand(random.Next(8) == 0 ? "/" : path),
            _ => new NopCommand(),
        };
    }

    private static Command RandomControlCommand(Random random, long rev)
    {
        var origin = random.Next(3) == 0 ? CommandOrigin.Cluster : CommandOrigin.Client;
        var path = random.Next(6) switch
        {
            0 => "/ctl/node/n1/addr",
            1 => "/ctl/name",
            2 => "/ctl/cal/2",
            _ => "/ctl/cal/1",
        };
        byte[] value = random.Next(5) switch
        {
            0 => [],
            1 => Encoding.UTF8.GetBytes("n2"),
            2 => [0xFF, 0x00],
            _ => Encoding.UTF8.GetBytes("n1"),
        };
        Command command = random.Next(10) switch
        {
            < 6 => new SetCommand(path, value, RandomPrecondition(random, rev)),
            < 8 => new DeleteCommand(path, RandomPrecondition(random, rev)),
            _ => new DeleteTreeCommand(random.Next(3) switch { 0 => "/ctl", 1 => "/ctl/cal", _ => path }),
        };
        return command with { Origin = origin };
    }

    private static byte[] RandomValue(Random random)
    {
        var value = new byte[random.Next(0, 4)];
        random.NextBytes(value);
        return value;
    }

    private static Precondition RandomPrecondition(Random random, long rev) => random.Next(10) switch
    {
        < 5 => Precondition.None,
        5 => Precondition.Exists,
        6 => Precondition.Missing,
        7 => new Precondition(PreconditionKind.RevIn, []),
        _ => new Precondition(PreconditionKind.RevIn,
            Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.NextInt64(0, rev + 2)).ToArray()),
    };

    private static string Describe(Command command) => command switch
    {
        SetCommand s => $"Set({s.Path}, {s.Precondition.Kind} [{string.Join(",", s.Precondition.Revs ?? [])}], {s.Origin})",
        DeleteCommand d => $"Delete({d.Path}, {d.Precondition.Kind} [{string.Join(",", d.Precondition.Revs ?? [])}], {d.Origin})",
        DeleteTreeCommand t => $"DeleteTree({t.Path}, {t.Origin})",
        _ => "Nop",
    };
}
