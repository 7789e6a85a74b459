using System.Net;
using System.Text;
using Doozer.Contracts;

namespace Doozer.Client.Tests;

/// <summary>Every operation of DoozerClient against a live doozerd.</summary>
public sealed class DoozerClientTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Set_then_get_returns_the_bytes_and_the_revision_of_the_write()
    {
        using var client = fixture.Client();
        var path = NodeFixture.Dir() + "/f";
        byte[] binary = [0, 1, 2, 255, 10, 13, 0];
        var set = await client.SetAsync(path, binary);
        Assert.True(set.Succeeded);
        var file = await client.GetAsync(path);
        Assert.NotNull(file);
        Assert.Equal(binary, file!.Value);
        Assert.Equal(set.Rev, file.Rev);
        Assert.True(file.StoreRev >= set.Rev);
    }

    [Fact]
    public async Task Get_of_a_missing_file_is_null_and_of_a_directory_throws_is_dir()
    {
        using var client = fixture.Client();
        var dir = NodeFixture.Dir();
        Assert.Null(await client.GetAsync(dir + "/nothing"));
        await client.SetAsync(dir + "/a/b", Bytes("x"));
        var error = await Assert.ThrowsAsync<DoozerException>(() => client.GetAsync(dir + "/a"));
        Assert.Equal(ProblemTypes.IsDir, error.ProblemType);
    }

    [Fact]
    public async Task Get_at_an_older_revision_reads_the_value_of_then()
    {
        using var client = fixture.Client();
        var path = NodeFixture.Dir() + "/f";
        var first = await client.SetAsync(path, Bytes("one"));
        await client.SetAsync(path, Bytes("two"));
        var old = await client.GetAsync(path, first.Rev);
        Assert.Equal("one", Encoding.UTF8.GetString(old!.Value));
        Assert.Equal(first.Rev, old.StoreRev);
    }

    [Fact]
    public async Task A_conditional_set_with_a_stale_rev_is_a_mismatch_result_with_the_current_rev_and_takes_no_revision()
    {
        using var client = fixture.Client();
        var path = NodeFixture.Dir() + "/f";
        var first = await client.SetAsync(path, Bytes("1"));
        var second = await client.SetAsync(path, Bytes("2"), first.Rev);
        Assert.True(second.Succeeded);
        var before = await client.RevAsync();
        var stale = await client.SetAsync(path, Bytes("3"), first.Rev);
        Assert.True(stale.IsRevMismatch);
        Assert.Equal(second.Rev, stale.CurrentRev);
        Assert.Equal(before, await client.RevAsync());
        Assert.Equal("2", Encoding.UTF8.GetString((await client.GetAsync(path))!.Value));
    }

    [Fact]
    public async Task Create_only_set_fails_when_the_file_exists_and_if_rev_on_a_missing_file_reports_current_rev_zero()
    {
        using var client = fixture.Client();
        var path = NodeFixture.Dir() + "/lock";
        var created = await client.SetAsync(path, Bytes("me"), DoozerClient.Missing);
        Assert.True(created.Succeeded);
        var again = await client.SetAsync(path, Bytes("you"), DoozerClient.Missing);
        Assert.True(again.IsRevMismatch);
        Assert.Equal(created.Rev, again.CurrentRev);
        var missing = await client.SetAsync(path + "-other", Bytes("x"), 5);
        Assert.True(missing.IsRevMismatch);
        Assert.Equal(0, missing.CurrentRev);
    }

    [Fact]
    public async Task Delete_is_conditional_and_a_missing_file_is_not_found()
    {
        using var client = fixture.Client();
        var path = NodeFixture.Dir() + "/f";
        var first = await client.SetAsync(path, Bytes("1"));
        var second = await client.SetAsync(path, Bytes("2"));
        var stale = await client.DeleteAsync(path, first.Rev);
        Assert.True(stale.IsRevMismatch);
        Assert.Equal(second.Rev, stale.CurrentRev);
        var deleted = await client.DeleteAsync(path, second.Rev);
        Assert.True(deleted.Succeeded);
        Assert.Equal(second.Rev + 1, deleted.Rev);
        Assert.Null(await client.GetAsync(path));
        var error = await Assert.ThrowsAsync<DoozerException>(() => client.DeleteAsync(path));
        Assert.Equal(ProblemTypes.NotFound, error.ProblemType);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Delete_tree_removes_a_subtree_at_one_revision()
    {
        using var client = fixture.Client();
        var dir = NodeFixture.Dir();
        await client.SetAsync(dir + "/a/1", Bytes("1"));
        await client.SetAsync(dir + "/a/b/2", Bytes("2"));
        var rev = await client.DeleteTreeAsync(dir);
        Assert.Null(await client.StatAsync(dir));
        Assert.Equal(rev, await client.RevAsync());
    }

    [Fact]
    public async Task Stat_tells_files_from_directories_and_missing_paths()
    {
        using var client = fixture.Client();
        var dir = NodeFixture.Dir();
        var set = await client.SetAsync(dir + "/f", Bytes("hello"));
        var file = await client.StatAsync(dir + "/f");
        Assert.Equal(new PathStat(dir + "/f", PathKind.File, set.Rev, 5, file!.StoreRev), file);
        Assert.Equal(PathKind.Directory, (await client.StatAsync(dir))!.Kind);
        Assert.Equal(PathKind.Directory, (await client.StatAsync("/"))!.Kind);
        Assert.Null(await client.StatAsync(dir + "/none"));
    }

    [Fact]
    public async Task Rev_nop_self_and_cluster_answer()
    {
        using var client = fixture.Client();
        var set = await client.SetAsync(NodeFixture.Dir() + "/f", Bytes("x"));
        Assert.True(await client.RevAsync() >= set.Rev);
        Assert.True(await client.NopAsync() >= set.Rev);
        var self = await client.SelfAsync();
        Assert.Equal("client-tests", self.Name);
        var cluster = await client.ClusterAsync();
        Assert.Equal(self.Id, cluster.Self);
        Assert.Contains(cluster.Members, m => m.Id == self.Id);
    }

    [Fact]
    public async Task Bad_paths_and_globs_are_problems()
    {
        using var client = fixture.Client();
        var error = await Assert.ThrowsAsync<DoozerException>(() => client.SetAsync("/a b", Bytes("x")));
        Assert.Equal(ProblemTypes.BadPath, error.ProblemType);
        var glob = await Assert.ThrowsAsync<DoozerException>(async () => await client.WalkAsync("nope").ToListAsync());
        Assert.Equal(ProblemTypes.BadGlob, glob.ProblemType);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetAsync("relative"));
    }

    [Fact]
    public async Task Walk_pages_through_one_pinned_revision()
    {
        using var client = fixture.Client();
        var dir = NodeFixture.Dir();
        for (var i = 0; i < 25; i++)
            await client.SetAsync($"{dir}/{i:D2}", Bytes($"v{i}"));
        var seen = new List<WalkFile>();
        await foreach (var file in client.WalkAsync(dir + "/*", pageSize: 7))
        {
            seen.Add(file);
            if (seen.Count == 1)
            {
                // Written after the first page: a pinned walk must not see these.
                await client.SetAsync($"{dir}/99", Bytes("late"));
                await client.SetAsync($"{dir}/05", Bytes("changed"));
            }
        }
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"{dir}/{i:D2}"), seen.Select(f => f.Path));
        Assert.Equal("v5", Encoding.UTF8.GetString(seen[5].Value));
        Assert.Single(seen.Select(f => f.StoreRev).Distinct());
        Assert.All(seen, f => Assert.True(f.Rev <= f.StoreRev));
    }

    [Fact]
    public async Task List_pages_through_a_directory_in_name_order()
    {
        using var client = fixture.Client();
        var dir = NodeFixture.Dir();
        for (var i = 0; i < 12; i++)
            await client.SetAsync($"{dir}/{i:D2}", Bytes("x"));
        await client.SetAsync($"{dir}/sub/f", Bytes("x"));
        var entries = await client.ListAsync(dir, pageSize: 5).ToListAsync();
        Assert.Equal(13, entries.Count);
        Assert.Equal("dir", entries[^1].Kind);
        Assert.Equal("sub", entries[^1].Name);
        Assert.Equal(1, entries[0].Size);
    }

    [Fact]
    public async Task Wait_returns_the_first_change_at_or_after_a_revision_and_null_on_timeout()
    {
        using var client = fixture.Client();
        var dir = NodeFixture.Dir();
        var set = await client.SetAsync(dir + "/f", Bytes("v"));
        var found = await client.WaitAsync(dir + "/**", set.Rev);
        Assert.Equal((set.Rev, dir + "/f", WatchEventKind.Set), (found!.Event.Rev, found.Event.Path, found.Event.Kind));
        Assert.Equal(Bytes("v"), found.Event.Value);
        Assert.Null(await client.WaitAsync(dir + "/**", set.Rev + 1000, TimeSpan.Zero));

        var pending = client.WaitAsync(dir + "/**", timeout: TimeSpan.FromSeconds(20));
        await Task.Delay(200);
        var del = await client.DeleteAsync(dir + "/f");
        var next = await pending;
        Assert.Equal(WatchEventKind.Delete, next!.Event.Kind);
        Assert.Equal(del.Rev, next.Event.Rev);
    }

    [Fact]
    public async Task Watch_replays_history_and_delivers_sets_deletes_and_whole_multi_file_revisions_in_order()
    {
        using var client = fixture.Client();
        var dir = NodeFixture.Dir();
        var first = await client.SetAsync(dir + "/a", Bytes("1"));
        await client.SetAsync(dir + "/b/x", new byte[] { 0, 255 });
        await client.SetAsync(dir + "/b/y", Bytes("y"));
        await client.DeleteAsync(dir + "/a");
        var tree = await client.DeleteTreeAsync(dir + "/b");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = await client.WatchAsync(dir + "/**", first.Rev, cts.Token).Take(6).ToListAsync(cts.Token);
        Assert.Equal(
            [
                (first.Rev, dir + "/a", WatchEventKind.Set),
                (first.Rev + 1, dir + "/b/x", WatchEventKind.Set),
                (first.Rev + 2, dir + "/b/y", WatchEventKind.Set),
                (first.Rev + 3, dir + "/a", WatchEventKind.Delete),
                (tree, dir + "/b/x", WatchEventKind.Delete),
                (tree, dir + "/b/y", WatchEventKind.Delete),
            ],
            events.Select(e => (e.Rev, e.Path, e.Kind)));
        Assert.Equal(new byte[] { 0, 255 }, events[1].Value);
    }

    [Fact]
    public async Task Watch_without_a_start_sees_only_later_changes()
    {
        using var client = fixture.Client();
        var dir = NodeFixture.Dir();
        await client.SetAsync(dir + "/old", Bytes("x"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watch = client.WatchAsync(dir + "/**", null, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = watch.MoveNextAsync();
        await Task.Delay(500);
        var set = await client.SetAsync(dir + "/new", Bytes("y"));
        Assert.True(await next);
        Assert.Equal((set.Rev, dir + "/new"), (watch.Current.Rev, watch.Current.Path));
        await cts.CancelAsync();
        await watch.DisposeAsync();
    }
}
