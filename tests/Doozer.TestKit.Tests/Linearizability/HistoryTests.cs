using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Tree;

namespace Doozer.TestKit.Tests.Linearizability;

public sealed class HistoryTests
{
    [Fact]
    public void Records_calls_returns_and_lost_answers()
    {
        var history = new History<FileInput, FileResult>(FileResult.Unknown);

        var write = history.Invoke(1, FileInput.Write("/a", "x"), timestamp: 10);
        var lost = history.Invoke(2, FileInput.Write("/a", "y"), timestamp: 11);
        var pending = history.Invoke(3, FileInput.Read("/a"), timestamp: 12);
        history.Complete(write, FileResult.Written(3), timestamp: 13);
        history.CompleteUnknown(lost);
        var operations = history.ToOperations();

        Assert.Equal(new Operation<FileInput, FileResult>(1, FileInput.Write("/a", "x"), 10, FileResult.Written(3), 13), operations[write]);
        Assert.True(operations[lost].OutcomeUnknown);
        Assert.Equal(FileResult.Unknown, operations[lost].Output);
        Assert.True(operations[pending].OutcomeUnknown);
        Assert.Throws<InvalidOperationException>(() => history.Complete(write, FileResult.Written(4)));
    }

    [Fact]
    public void Concurrent_clients_of_a_linearizable_store_give_a_linearizable_history()
    {
        var store = new LockedFileStore();
        var history = new History<FileInput, FileResult>(FileResult.Unknown);

        Parallel.For(0, 8, client =>
        {
            var random = new Random(client);
            for (var i = 0; i < 200; i++)
            {
                var path = random.Next(2) == 0 ? "/a" : "/b";
                var input = random.Next(5) switch
                {
                    0 => FileInput.Write(path, $"c{client}-{i}"),
                    1 => FileInput.WriteIfMatch(path, $"c{client}-{i}", random.Next(1, 40)),
                    2 => FileInput.Delete(path),
                    _ => FileInput.Read(path),
                };
                var handle = history.Invoke(client, input);
                var result = store.Apply(input);
                if (random.Next(20) == 0)
                {
                    // The client gave up waiting although the store applied the request.
                    history.CompleteUnknown(handle);
                }
                else
                {
                    history.Complete(handle, result);
                }
            }
        });

        var outcome = LinearizabilityChecker.Check(DoozerFileModel.Instance, history.ToOperations());

        Assert.True(outcome.Result == CheckResult.Ok, outcome.Describe());
    }

    [Fact]
    public void A_store_serving_stale_reads_is_caught()
    {
        var store = new LockedFileStore();
        var history = new History<FileInput, FileResult>(FileResult.Unknown);
        var first = history.Invoke(1, FileInput.Write("/a", "x"));
        history.Complete(first, store.Apply(FileInput.Write("/a", "x")));
        var stale = store.Apply(FileInput.Read("/a"));
        var second = history.Invoke(1, FileInput.Write("/a", "y"));
        history.Complete(second, store.Apply(FileInput.Write("/a", "y")));

        var read = history.Invoke(2, FileInput.Read("/a"));
        history.Complete(read, stale);

        Assert.Equal(CheckResult.Illegal, LinearizabilityChecker.Check(DoozerFileModel.Instance, history.ToOperations()).Result);
    }

    /// <summary>A trivially linearizable store: one lock, one global revision, API.md's rules.</summary>
    private sealed class LockedFileStore
    {
        private readonly Lock gate = new();
        private readonly Dictionary<string, (string Value, long Rev)> files = [];
        private long rev;

        public FileResult Apply(FileInput input)
        {
            lock (gate)
            {
                var exists = files.TryGetValue(input.Path, out var file);
                switch (input.Kind)
                {
                    case FileOperationKind.Read:
                        return exists ? FileResult.Found(file.Value, file.Rev, rev) : FileResult.NotFound(rev);
                    case FileOperationKind.Delete:
                        if (!exists)
                        {
                            return FileResult.NotFound();
                        }

                        if (input.Precondition == FilePrecondition.IfMatch && file.Rev != input.MatchRev)
                        {
                            return FileResult.RevMismatch(file.Rev);
                        }

                        files.Remove(input.Path);
                        return FileResult.Deleted(++rev);
                    default:
                        var refused = input.Precondition switch
                        {
                            FilePrecondition.IfMatch => !exists || file.Rev != input.MatchRev,
                            FilePrecondition.IfExists => !exists,
                            FilePrecondition.IfAbsent => exists,
                            _ => false,
                        };
                        if (refused)
                        {
                            return FileResult.RevMismatch(exists ? file.Rev : 0);
                        }

                        files[input.Path] = (input.Value!, ++rev);
                        return FileResult.Written(rev);
                }
            }
        }
    }
}
