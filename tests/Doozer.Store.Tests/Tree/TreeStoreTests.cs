using System.Text;
using Doozer.Store.Commands;
using Doozer.Store.Tree;

namespace Doozer.Store.Tests.Tree;

public class TreeStoreTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static SetCommand Set(string path, string value, Precondition precondition = default) =>
        new(path, B(value), precondition);

    private static ApplyResult Ok(TreeStore store, Command command)
    {
        var result = store.Apply(command);
        Assert.Equal(ApplyStatus.Ok, result.Status);
        return result;
    }

    [Fact]
    public void New_store_is_at_rev_0_with_an_empty_root()
    {
        var store = new TreeStore(10);
        Assert.Equal(0, store.Rev);
        Assert.Equal(0, store.OldestRev);
        var root = store.Current.Get("/");
        Assert.Equal(ReadStatus.Ok, root.Status);
        Assert.Equal(NodeKind.Dir, root.Kind);
        Assert.Equal(0, root.EntryCount);
        Assert.Same(store.Current, store.At(0));
    }

    [Fact]
    public void Set_creates_the_file_and_its_parent_dirs_at_the_next_rev()
    {
        var store = new TreeStore(10);
        var result = Ok(store, Set("/a/b/c", "hi"));
        Assert.Equal(1, result.Rev);
        Assert.True(result.Created);
        var change = Assert.Single(result.Changes);
        Assert.Equal(new Change(1, "/a/b/c", ChangeKind.Set, change.Value), change);
        Assert.Equal("hi", Encoding.UTF8.GetString(change.Value.Span));

        var file = store.Current.Get("/a/b/c");
        Assert.Equal((ReadStatus.Ok, NodeKind.File, 1L), (file.Status, file.Kind, file.Rev));
        Assert.Equal(B("hi"), file.Value.ToArray());
        Assert.Equal(NodeKind.Dir, store.Current.Get("/a/b").Kind);
        Assert.Equal(1, store.Current.Get("/a").EntryCount);
        Assert.Equal(1, store.Current.Get("/").EntryCount);
    }

    [Fact]
    public void Overwrite_with_the_same_bytes_still_takes_a_new_rev()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a", "x"));
        var result = Ok(store, Set("/a", "x"));
        Assert.Equal(2, result.Rev);
        Assert.False(result.Created);
        Assert.Equal(2, store.Current.Get("/a").Rev);
    }

    [Fact]
    public void Set_copies_the_value_so_later_changes_to_the_caller_buffer_do_not_leak_in()
    {
        var store = new TreeStore(10);
        var buffer = B("abc");
        Ok(store, new SetCommand("/a", buffer, Precondition.None));
        buffer[0] = (byte)'z';
        Assert.Equal(B("abc"), store.Current.Get("/a").Value.ToArray());
    }

    [Fact]
    public void Empty_and_binary_values_are_stored_as_is()
    {
        var store = new TreeStore(10);
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Ok(store, new SetCommand("/bin", all, Precondition.None));
        Ok(store, new SetCommand("/empty", ReadOnlyMemory<byte>.Empty, Precondition.None));
        Assert.Equal(all, store.Current.Get("/bin").Value.ToArray());
        var empty = store.Current.Get("/empty");
        Assert.Equal(ReadStatus.Ok, empty.Status);
        Assert.Equal(0, empty.Value.Length);
    }

    [Fact]
    public void Set_on_a_dir_is_IsDir_and_set_below_a_file_is_NotDir_and_neither_takes_a_rev()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a/b", "x"));
        Assert.Equal(ApplyStatus.IsDir, store.Apply(Set("/a", "y")).Status);
        Assert.Equal(ApplyStatus.IsDir, store.Apply(Set("/", "y")).Status);
        var notDir = store.Apply(Set("/a/b/c/d", "y"));
        Assert.Equal(ApplyStatus.NotDir, notDir.Status);
        Assert.Equal(1, notDir.Rev);
        Assert.Empty(notDir.Changes);
        Assert.Equal(1, store.Rev);
    }

    [Fact]
    public void Delete_removes_the_file_and_empty_parent_dirs_but_never_the_root()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a/b/c", "x"));
        Ok(store, Set("/a/d", "y"));
        var result = Ok(store, new DeleteCommand("/a/b/c", Precondition.None));
        Assert.Equal(3, result.Rev);
        Assert.Equal([new Change(3, "/a/b/c", ChangeKind.Del, ReadOnlyMemory<byte>.Empty)], result.Changes);
        Assert.Equal(ReadStatus.NotFound, store.Current.Get("/a/b").Status);
        Assert.Equal(1, store.Current.Get("/a").EntryCount);

        Ok(store, new DeleteCommand("/a/d", Precondition.None));
        Assert.Equal(ReadStatus.NotFound, store.Current.Get("/a").Status);
        Assert.Equal(0, store.Current.Get("/").EntryCount);
    }

    [Fact]
    public void Delete_of_missing_is_NotFound_of_a_dir_is_IsDir_below_a_file_is_NotDir()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a/b", "x"));
        Assert.Equal(ApplyStatus.NotFound, store.Apply(new DeleteCommand("/nope", Precondition.None)).Status);
        Assert.Equal(ApplyStatus.NotFound, store.Apply(new DeleteCommand("/a/nope", Precondition.None)).Status);
        Assert.Equal(ApplyStatus.IsDir, store.Apply(new DeleteCommand("/a", Precondition.None)).Status);
        Assert.Equal(ApplyStatus.IsDir, store.Apply(new DeleteCommand("/", Precondition.None)).Status);
        Assert.Equal(ApplyStatus.NotDir, store.Apply(new DeleteCommand("/a/b/c", Precondition.None)).Status);
        Assert.Equal(1, store.Rev);
    }

    [Fact]
    public void Preconditions_on_set()
    {
        var store = new TreeStore(10);
        // Exists / RevIn on a missing file: mismatch with current rev 0.
        AssertMismatch(store.Apply(Set("/a", "x", Precondition.Exists)), 0);
        AssertMismatch(store.Apply(Set("/a", "x", Precondition.RevIs(0))), 0);
        Assert.True(Ok(store, Set("/a", "x", Precondition.Missing)).Created);
        // Missing on an existing file: mismatch with the file's rev.
        AssertMismatch(store.Apply(Set("/a", "y", Precondition.Missing)), 1);
        Ok(store, Set("/a", "y", Precondition.Exists));
        AssertMismatch(store.Apply(Set("/a", "z", Precondition.RevIs(1))), 2);
        Ok(store, Set("/a", "z", Precondition.RevIs(2)));
        Ok(store, Set("/a", "w", new Precondition(PreconditionKind.RevIn, [7, 3, 9])));
        AssertMismatch(store.Apply(Set("/a", "v", new Precondition(PreconditionKind.RevIn, []))), 4);
        AssertMismatch(store.Apply(Set("/a", "v", new Precondition(PreconditionKind.RevIn))), 4);
        Assert.Equal(4, store.Rev);
        Assert.Equal(B("w"), store.Current.Get("/a").Value.ToArray());
    }

    [Fact]
    public void Structural_errors_come_before_precondition_failures()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/d/f", "x"));
        Assert.Equal(ApplyStatus.IsDir, store.Apply(Set("/d", "x", Precondition.RevIs(99))).Status);
        Assert.Equal(ApplyStatus.IsDir, store.Apply(Set("/d", "x", Precondition.Missing)).Status);
        Assert.Equal(ApplyStatus.NotDir, store.Apply(Set("/d/f/g", "x", Precondition.Exists)).Status);
        Assert.Equal(ApplyStatus.NotFound, store.Apply(new DeleteCommand("/m", Precondition.RevIs(5))).Status);
        Assert.Equal(ApplyStatus.IsDir, store.Apply(new DeleteCommand("/d", Precondition.RevIs(5))).Status);
    }

    [Fact]
    public void Preconditions_on_delete()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a", "x"));
        AssertMismatch(store.Apply(new DeleteCommand("/a", Precondition.RevIs(7))), 1);
        AssertMismatch(store.Apply(new DeleteCommand("/a", Precondition.Missing)), 1);
        Ok(store, new DeleteCommand("/a", Precondition.RevIs(1)));
        Ok(store, Set("/a", "x"));
        Ok(store, new DeleteCommand("/a", Precondition.Exists));
        Assert.Equal(4, store.Rev);
    }

    [Fact]
    public void Nop_changes_nothing()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a", "x"));
        var result = Ok(store, new NopCommand());
        Assert.Equal(1, result.Rev);
        Assert.Empty(result.Changes);
        Assert.Equal(1, store.Rev);
    }

    [Fact]
    public void DeleteTree_deletes_a_subtree_at_one_rev_with_changes_in_path_order()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/o/b-x", "1"));
        Ok(store, Set("/o/b/c", "2"));
        Ok(store, Set("/o/a", "3"));
        Ok(store, Set("/p", "4"));
        var result = Ok(store, new DeleteTreeCommand("/o"));
        Assert.Equal(5, result.Rev);
        Assert.Equal(["/o/a", "/o/b/c", "/o/b-x"], result.Changes.Select(c => c.Path));
        Assert.All(result.Changes, c => Assert.Equal((5L, ChangeKind.Del, 0), (c.Rev, c.Kind, c.Value.Length)));
        Assert.Equal(ReadStatus.NotFound, store.Current.Get("/o").Status);
        Assert.Equal(ReadStatus.Ok, store.Current.Get("/p").Status);
        Assert.Equal(result.Changes, store.ChangesAt(5));
        // The revision before still sees the whole subtree.
        Assert.Equal(3, store.At(4)!.Get("/o").EntryCount);
    }

    [Fact]
    public void DeleteTree_of_a_file_deletes_just_it_and_prunes_parents()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a/b", "1"));
        var result = Ok(store, new DeleteTreeCommand("/a/b"));
        Assert.Equal([new Change(2, "/a/b", ChangeKind.Del, ReadOnlyMemory<byte>.Empty)], result.Changes);
        Assert.Equal(0, store.Current.Get("/").EntryCount);
    }

    [Fact]
    public void DeleteTree_of_missing_is_NotFound_below_a_file_is_NotDir()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a", "1"));
        Assert.Equal(ApplyStatus.NotFound, store.Apply(new DeleteTreeCommand("/b")).Status);
        Assert.Equal(ApplyStatus.NotDir, store.Apply(new DeleteTreeCommand("/a/b")).Status);
        Assert.Equal(1, store.Rev);
    }

    [Fact]
    public void DeleteTree_of_the_root_empties_the_tree_and_on_an_empty_tree_changes_nothing()
    {
        var store = new TreeStore(10);
        var empty = Ok(store, new DeleteTreeCommand("/"));
        Assert.Equal(0, empty.Rev);
        Assert.Empty(empty.Changes);
        Ok(store, Set("/x/y", "1"));
        Ok(store, Set("/a", "1"));
        var result = Ok(store, new DeleteTreeCommand("/"));
        Assert.Equal(3, result.Rev);
        Assert.Equal(["/a", "/x/y"], result.Changes.Select(c => c.Path));
        Assert.Equal(0, store.Current.Get("/").EntryCount);
        Assert.Equal(ReadStatus.Ok, store.Current.Get("/").Status);
    }

    [Fact]
    public void Client_writes_under_ctl_are_read_only_except_voter_slots()
    {
        var store = new TreeStore(10);
        Cluster(store, Set("/ctl/name", "local"));
        Cluster(store, Set("/ctl/node/n1/addr", "x"));
        var rev = store.Rev;
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(Set("/ctl/name", "evil")).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(Set("/ctl/new", "evil")).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(Set("/ctl", "evil")).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(Set("/ctl/cal/1/x", "")).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(Set("/ctl/cal/x1", "")).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(Set("/ctl/cal", "")).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(new DeleteCommand("/ctl/name", Precondition.None)).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(new DeleteCommand("/ctl/missing", Precondition.None)).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(new DeleteTreeCommand("/ctl")).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(new DeleteTreeCommand("/ctl/node")).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(new DeleteTreeCommand("/ctl/cal")).Status);
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(new DeleteTreeCommand("/")).Status);
        // Read-only comes before the precondition.
        Assert.Equal(ApplyStatus.ReadOnlyPath, store.Apply(Set("/ctl/name", "x", Precondition.RevIs(99))).Status);
        Assert.Equal(rev, store.Rev);
        Assert.Equal(B("local"), store.Current.Get("/ctl/name").Value.ToArray());
    }

    [Fact]
    public void Voter_slots_take_empty_or_a_registered_node_id_and_may_be_deleted()
    {
        var store = new TreeStore(10);
        Cluster(store, Set("/ctl/node/n1/addr", "x"));
        Cluster(store, Set("/ctl/nodefile", "x"));
        Assert.True(Ok(store, Set("/ctl/cal/0", "")).Created);
        Ok(store, Set("/ctl/cal/0", "n1"));
        Ok(store, Set("/ctl/cal/12", "n1", Precondition.Missing));
        Assert.Equal(ApplyStatus.BadSlotValue, store.Apply(Set("/ctl/cal/1", "n2")).Status);
        Assert.Equal(ApplyStatus.BadSlotValue, store.Apply(Set("/ctl/cal/1", "n1/addr")).Status);
        Assert.Equal(ApplyStatus.BadSlotValue, store.Apply(Set("/ctl/cal/1", "..")).Status);
        Assert.Equal(ApplyStatus.BadSlotValue, store.Apply(new SetCommand("/ctl/cal/1", new byte[] { 0xFF }, default)).Status);
        // /ctl/node/addr is a file, not a registered node directory.
        Cluster(store, Set("/ctl/node/f", "x"));
        Assert.Equal(ApplyStatus.BadSlotValue, store.Apply(Set("/ctl/cal/1", "f")).Status);
        // A slot whose precondition fails still reports the precondition.
        Assert.Equal(ApplyStatus.RevMismatch, store.Apply(Set("/ctl/cal/0", "", Precondition.Missing)).Status);
        Ok(store, new DeleteCommand("/ctl/cal/0", Precondition.None));
        Ok(store, new DeleteTreeCommand("/ctl/cal/12"));
        Assert.Equal(ReadStatus.NotFound, store.Current.Get("/ctl/cal").Status);
        Assert.Equal(ApplyStatus.NotFound, store.Apply(new DeleteCommand("/ctl/cal/5", Precondition.None)).Status);
    }

    [Fact]
    public void Cluster_commands_may_write_anything_under_ctl()
    {
        var store = new TreeStore(10);
        Cluster(store, Set("/ctl/cal/1", "whatever"));
        Cluster(store, Set("/ctl/x", "1"));
        Cluster(store, new DeleteTreeCommand("/"));
        Assert.Equal(0, store.Current.Get("/").EntryCount);
    }

    [Fact]
    public void Client_may_delete_the_root_when_ctl_holds_nothing()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a", "1"));
        Ok(store, new DeleteTreeCommand("/"));
        Assert.Equal(2, store.Rev);
    }

    [Fact]
    public void History_window_keeps_the_last_HistoryLimit_revisions()
    {
        var store = new TreeStore(3);
        for (var i = 1; i <= 5; i++)
            Ok(store, Set("/a", i.ToString()));
        Assert.Equal(5, store.Rev);
        Assert.Equal(3, store.OldestRev);
        Assert.Null(store.At(2));
        Assert.Null(store.At(6));
        Assert.Null(store.At(-1));
        for (var r = 3; r <= 5; r++)
        {
            var view = store.At(r)!;
            Assert.Equal(r, view.Rev);
            Assert.Equal(B(r.ToString()), view.Get("/a").Value.ToArray());
            Assert.Equal("/a", Assert.Single(store.ChangesAt(r)).Path);
        }
        Assert.Empty(store.ChangesAt(2));
        Assert.Empty(store.ChangesAt(0));
        Assert.Empty(store.ChangesAt(6));
    }

    [Fact]
    public void History_of_one_keeps_only_the_current_revision()
    {
        var store = new TreeStore(1);
        Ok(store, Set("/a", "1"));
        Ok(store, Set("/a", "2"));
        Assert.Equal(2, store.OldestRev);
        Assert.Null(store.At(1));
        Assert.Same(store.Current, store.At(2));
    }

    [Fact]
    public void History_ring_grows_past_its_initial_size_and_keeps_every_revision()
    {
        var store = new TreeStore(5000);
        for (var i = 1; i <= 4000; i++)
            Ok(store, Set($"/d{i % 7}/f{i % 13}", i.ToString()));
        Assert.Equal(0, store.OldestRev);
        for (var r = 1; r <= 4000; r++)
            Assert.Equal(r, store.At(r)!.Rev);
        Assert.Equal(0, store.At(0)!.Rev);
    }

    [Fact]
    public void Views_are_immutable_snapshots()
    {
        var store = new TreeStore(10);
        Ok(store, Set("/a", "1"));
        var view = store.Current;
        Ok(store, Set("/a", "2"));
        Ok(store, Set("/b", "2"));
        Assert.Equal(B("1"), view.Get("/a").Value.ToArray());
        Assert.Equal(ReadStatus.NotFound, view.Get("/b").Status);
        Assert.Equal(1, view.Rev);
    }

    [Fact]
    public void Invalid_history_limit_or_path_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TreeStore(0));
        var store = new TreeStore(1);
        Assert.Throws<ArgumentException>(() => store.Apply(Set("a", "x")));
        Assert.Throws<ArgumentException>(() => store.Apply(Set("/a/", "x")));
        Assert.Throws<ArgumentException>(() => store.Current.Get("/a//b"));
    }

    [Fact]
    public async Task Readers_on_other_threads_always_see_consistent_views()
    {
        // Every revision rewrites /counter, so in any view the file's rev is the view's rev.
        var store = new TreeStore(50);
        using var cts = new CancellationTokenSource();
        var failures = 0;
        var reader = Task.Run(() =>
        {
            while (!cts.IsCancellationRequested)
            {
                var view = store.Current;
                var file = view.Get("/counter");
                if (file.Status == ReadStatus.Ok && file.Rev != view.Rev)
                    Interlocked.Increment(ref failures);
                var old = store.At(view.Rev - 10);
                if (old is not null && old.Rev != view.Rev - 10)
                    Interlocked.Increment(ref failures);
            }
        });
        for (var i = 0; i < 20000; i++)
            Ok(store, Set("/counter", i.ToString()));
        cts.Cancel();
        await reader;
        Assert.Equal(0, failures);
    }

    private static void Cluster(TreeStore store, Command command) =>
        Ok(store, command with { Origin = CommandOrigin.Cluster });

    private static void AssertMismatch(ApplyResult result, long currentRev)
    {
        Assert.Equal(ApplyStatus.RevMismatch, result.Status);
        Assert.Equal(currentRev, result.CurrentRev);
        Assert.Empty(result.Changes);
    }
}
