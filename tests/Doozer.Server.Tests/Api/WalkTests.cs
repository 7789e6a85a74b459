using System.Net;
using System.Text.Json;

namespace Doozer.Server.Tests.Api;

/// <summary>API.md 3.3: walks match globs in path order and page at one pinned revision.</summary>
public sealed class WalkTests : IDisposable
{
    private readonly DoozerApp _app = new();
    private readonly HttpClient _client;

    public WalkTests() => _client = _app.Client();

    public void Dispose() => _app.Dispose();

    private static string[] Paths(JsonElement walk) =>
        walk.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!).ToArray();

    [Fact]
    public async Task Globs_match_files_in_depth_first_ordinal_order()
    {
        foreach (var path in new[] { "/o/b-x", "/o/b/c", "/o/a", "/x", "/a/x", "/a/b/x", "/a/b/y" })
            await _client.PutAsync(path, path);
        Assert.Equal(["/o/a", "/o/b/c", "/o/b-x"], Paths(await (await _client.GetAsync("/walk?glob=/o/**")).JsonAsync()));
        Assert.Equal(["/a/b/x", "/a/x"], Paths(await (await _client.GetAsync("/walk?glob=/**/x")).JsonAsync()));
        Assert.Equal(["/o/a", "/o/b-x"], Paths(await (await _client.GetAsync("/walk?glob=/o/*")).JsonAsync()));
        Assert.Equal(["/a/b/x", "/a/b/y"], Paths(await (await _client.GetAsync("/walk?glob=/a/?/*")).JsonAsync()));
        Assert.Empty(Paths(await (await _client.GetAsync("/walk?glob=/nothing/**")).JsonAsync()));
    }

    [Fact]
    public async Task Files_carry_rev_size_and_value_in_base64_or_utf8()
    {
        var rev = (await _client.PutAsync("/v", "héllo")).Rev();
        var response = await _client.GetAsync("/walk?glob=/v");
        Assert.Equal(rev, response.Rev());
        var file = (await response.JsonAsync()).GetProperty("files")[0];
        Assert.Equal(rev, file.GetProperty("rev").GetInt64());
        Assert.Equal(6, file.GetProperty("size").GetInt32());
        Assert.Equal(Convert.ToBase64String("héllo"u8.ToArray()), file.GetProperty("value").GetString());
        var text = (await (await _client.GetAsync("/walk?glob=/v&encoding=utf8")).JsonAsync()).GetProperty("files")[0];
        Assert.Equal("héllo", text.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Pages_at_a_pinned_revision_see_one_consistent_tree()
    {
        for (var i = 0; i < 23; i++)
            await _client.PutAsync($"/p/{i:D2}", $"{i}");
        var first = await (await _client.GetAsync("/walk?glob=/p/*&limit=10")).JsonAsync();
        var rev = first.GetProperty("rev").GetInt64();
        Assert.Equal("/p/09", first.GetProperty("next").GetString());
        // Changes after the first page must not show in later pages read at its revision.
        await _client.DeleteAsync("/tree/p/15");
        await _client.PutAsync("/p/10a", "new");
        var paths = Paths(first).ToList();
        var after = first.GetProperty("next").GetString();
        while (after is not null)
        {
            var page = await (await _client.GetAsync($"/walk?glob=/p/*&limit=10&rev={rev}&after={after}")).JsonAsync();
            Assert.Equal(rev, page.GetProperty("rev").GetInt64());
            paths.AddRange(Paths(page));
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"/p/{i:D2}"), paths);
        var now = Paths(await (await _client.GetAsync("/walk?glob=/p/*&limit=100")).JsonAsync());
        Assert.Contains("/p/10a", now);
        Assert.DoesNotContain("/p/15", now);
    }

    [Fact]
    public async Task A_walk_below_the_window_is_410()
    {
        await using var app = new DoozerApp(("History", "5"));
        var client = app.Client();
        for (var i = 0; i < 10; i++)
            await client.PutAsync("/w", $"{i}");
        await (await client.GetAsync("/walk?glob=/**&rev=1")).AssertProblemAsync(410, "too-late");
        var now = (await (await client.GetAsync("/rev")).JsonAsync()).GetProperty("rev").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/walk?glob=/**&rev={now - 4}")).StatusCode);
        await (await client.GetAsync($"/walk?glob=/**&rev={now - 5}")).AssertProblemAsync(410, "too-late");
    }
}
