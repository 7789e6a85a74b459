using System.Text;
using Doozer.Store.Commands;
using Doozer.Store.Paths;
using Doozer.Store.Tree;

namespace Doozer.Store.Tests.Tree;

public class StoreViewTests
{
    private static TreeStore StoreWith(params string[] paths)
    {
        var store = new TreeStore(100);
        foreach (var path in paths)
            Assert.Equal(ApplyStatus.Ok, store.Apply(new SetCommand(path, Encoding.UTF8.GetBytes(path), default)).Status);
        return store;
    }

    private static Glob G(string text) => Glob.TryParse(text, out var glob) ? glob : throw new ArgumentException(text);

    [Fact]
    public void Get_reports_NotFound_and_NotDir()
    {
        var view = StoreWith("/a/b").Current;
        Assert.Equal(ReadStatus.NotFound, view.Get("/x").Status);
        Assert.Equal(ReadStatus.NotFound, view.Get("/a/x").Status);
        Assert.Equal(ReadStatus.NotFound, view.Get("/x/y/z").Status);
        Assert.Equal(ReadStatus.NotDir, view.Get("/a/b/c").Status);
        Assert.Equal(ReadStatus.NotDir, view.Get("/a/b/c/d").Status);
    }

    [Fact]
    public void List_gives_sorted_entries_with_dirs_rev_and_size_zero()
    {
        var store = StoreWith("/d/b-x", "/d/b/c", "/d/a", "/d/B");
        var page = store.Current.List("/d", null, 10);
        Assert.Equal((ReadStatus.Ok, NodeKind.Dir), (page.Status, page.Kind));
        Assert.Equal(
            [
                new DirEntry("B", NodeKind.File, 4, 4),
                new DirEntry("a", NodeKind.File, 3, 4),
                new DirEntry("b", NodeKind.Dir, 0, 0),
                new DirEntry("b-x", NodeKind.File, 1, 6),
            ],
            page.Entries);
        Assert.Null(page.Next);
    }

    [Fact]
    public void List_pages_with_after_and_limit()
    {
        var store = StoreWith("/d/a", "/d/b", "/d/c", "/d/e");
        var first = store.Current.List("/d", null, 2);
        Assert.Equal(["a", "b"], first.Entries.Select(e => e.Name));
        Assert.Equal("b", first.Next);
        var second = store.Current.List("/d", first.Next, 2);
        Assert.Equal(["c", "e"], second.Entries.Select(e => e.Name));
        Assert.Null(second.Next);
        var between = store.Current.List("/d", "d", 5);
        Assert.Equal(["e"], between.Entries.Select(e => e.Name));
        Assert.Empty(store.Current.List("/d", "z", 5).Entries);
    }

    [Fact]
    public void List_of_a_file_missing_or_below_a_file()
    {
        var view = StoreWith("/a").Current;
        var file = view.List("/a", null, 5);
        Assert.Equal((ReadStatus.Ok, NodeKind.File, 0, (string?)null), (file.Status, file.Kind, file.Entries.Count, file.Next));
        Assert.Equal(ReadStatus.NotFound, view.List("/b", null, 5).Status);
        Assert.Equal(ReadStatus.NotDir, view.List("/a/b", null, 5).Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => view.List("/", null, 0));
    }

    [Fact]
    public void Walk_lists_matching_files_in_path_order()
    {
        var store = StoreWith("/o/b-x", "/o/b/c", "/o/a", "/p/q", "/o/b/d/e");
        var page = store.Current.Walk(G("/**"), null, 100);
        Assert.Equal(["/o/a", "/o/b/c", "/o/b/d/e", "/o/b-x", "/p/q"], page.Files.Select(f => f.Path));
        Assert.Null(page.Next);
        var walk = store.Current.Walk(G("/o/*"), null, 100);
        Assert.Equal(["/o/a", "/o/b-x"], walk.Files.Select(f => f.Path));
        var first = Assert.Single(store.Current.Walk(G("/p/q"), null, 100).Files);
        Assert.Equal(new WalkFile("/p/q", 4, first.Value), first);
        Assert.Equal("/p/q", Encoding.UTF8.GetString(first.Value.Span));
    }

    [Fact]
    public void Walk_pages_resume_strictly_after_the_given_path()
    {
        var store = StoreWith("/o/b-x", "/o/b/c", "/o/a", "/p/q", "/o/b/d/e");
        var glob = G("/**");
        var first = store.Current.Walk(glob, null, 2);
        Assert.Equal(["/o/a", "/o/b/c"], first.Files.Select(f => f.Path));
        Assert.Equal("/o/b/c", first.Next);
        var second = store.Current.Walk(glob, first.Next, 2);
        Assert.Equal(["/o/b/d/e", "/o/b-x"], second.Files.Select(f => f.Path));
        var third = store.Current.Walk(glob, second.Next, 2);
        Assert.Equal(["/p/q"], third.Files.Select(f => f.Path));
        Assert.Null(third.Next);
        // "after" need not exist; a directory path resumes at its first file, since a path sorts before those below it.
        Assert.Equal(["/o/b/c", "/o/b/d/e", "/o/b-x", "/p/q"], store.Current.Walk(glob, "/o/b", 10).Files.Select(f => f.Path));
        Assert.Equal(["/o/b-x", "/p/q"], store.Current.Walk(glob, "/o/b/zzz", 10).Files.Select(f => f.Path));
        Assert.Equal(5, store.Current.Walk(glob, "/", 10).Files.Count);
        Assert.Empty(store.Current.Walk(glob, "/z", 10).Files);
    }

    [Fact]
    public void The_largest_limit_does_not_overflow()
    {
        var view = StoreWith("/d/a", "/d/b").Current;
        Assert.Equal(2, view.List("/d", null, int.MaxValue).Entries.Count);
        Assert.Equal(2, view.Walk(G("/**"), null, int.MaxValue).Files.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => view.Walk(G("/**"), null, 0));
    }

    [Fact]
    public void Walk_is_at_the_view_revision()
    {
        var store = StoreWith("/a", "/b");
        store.Apply(new DeleteCommand("/a", default));
        Assert.Equal(["/a", "/b"], store.At(2)!.Walk(G("/*"), null, 10).Files.Select(f => f.Path));
        Assert.Equal(["/b"], store.Current.Walk(G("/*"), null, 10).Files.Select(f => f.Path));
    }
}
