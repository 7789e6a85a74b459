using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Doozer.WebView.Tests;

/// <summary>The tree follows the node live: writes appear, edits flash, deletes disappear.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveTreeTests(Chromium chromium, ITestOutputHelper output) : WebViewTest(chromium, output)
{
    [Fact]
    public Task A_file_written_with_curl_appears_within_a_second() => RunAsync(async () =>
    {
        await OpenAsync();
        await Expect(Page.Locator("li.file[data-path=\"/ctl/name\"] .value")).ToHaveTextAsync("local");

        var rev = await Curl.PutAsync(Node, "/message", "hello, world");
        var clock = Stopwatch.StartNew();
        await Expect(ValueOf("/message")).ToHaveTextAsync("hello, world", new() { Timeout = 1000 });
        Output.WriteLine($"appeared {clock.ElapsedMilliseconds} ms after curl returned");

        await Expect(Row("/message").Locator(".frev")).ToHaveTextAsync($"rev {rev}");
        await Expect(Page.Locator("#rev")).ToHaveTextAsync(rev.ToString());
    });

    [Fact]
    public Task An_edit_appears_and_flashes() => RunAsync(async () =>
    {
        await Curl.PutAsync(Node, "/app/setting", "v1");
        await OpenAsync("/app");
        await Expect(ValueOf("/app/setting")).ToHaveTextAsync("v1");
        await Expect(Row("/app/setting")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("flash"));

        var rev = await Curl.PutAsync(Node, "/app/setting", "v2");
        await Expect(ValueOf("/app/setting")).ToHaveTextAsync("v2", new() { Timeout = 1000 });
        await Expect(Row("/app/setting")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bflash\b"));
        await Expect(Row("/app/setting").Locator(".frev")).ToHaveTextAsync($"rev {rev}");
        // The flash ends; the row stays.
        await Expect(Row("/app/setting")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("flash"), new() { Timeout = 5000 });
        await Expect(ValueOf("/app/setting")).ToHaveTextAsync("v2");
    });

    [Fact]
    public Task A_delete_removes_the_row_and_the_directories_it_empties() => RunAsync(async () =>
    {
        await Curl.PutAsync(Node, "/d/sub/deep/x", "1");
        await Curl.PutAsync(Node, "/d/keep", "2");
        await OpenAsync("/d");
        await Expect(ValueOf("/d/sub/deep/x")).ToHaveTextAsync("1");
        await Expect(Page.Locator("li.dir[data-path=\"/d/sub\"]")).ToHaveCountAsync(1);

        Assert.Equal("204", await Curl.DeleteAsync(Node, "/d/sub/deep/x"));
        await Expect(Row("/d/sub/deep/x")).ToHaveCountAsync(0, new() { Timeout = 1000 });
        await Expect(Page.Locator("li.dir[data-path=\"/d/sub/deep\"]")).ToHaveCountAsync(0);
        await Expect(Page.Locator("li.dir[data-path=\"/d/sub\"]")).ToHaveCountAsync(0);
        await Expect(ValueOf("/d/keep")).ToHaveTextAsync("2");

        Assert.Equal("204", await Curl.DeleteAsync(Node, "/d/keep"));
        await Expect(Row("/d/keep")).ToHaveCountAsync(0, new() { Timeout = 1000 });
        await Expect(Page.Locator("#empty")).ToBeVisibleAsync();
    });

    [Fact]
    public Task Entries_are_sorted_ordinally_and_directories_collapse() => RunAsync(async () =>
    {
        foreach (var path in new[] { "/s/b-x", "/s/b/c", "/s/a", "/s/B" })
            await Curl.PutAsync(Node, path, path);
        await OpenAsync("/s");
        await Expect(ValueOf("/s/b-x")).ToHaveTextAsync("/s/b-x");
        // API.md path order: depth-first, names in ordinal order ("B" < "a", and "/s/b/c" before "/s/b-x").
        var order = await Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#tree li[data-path]')].map(li => li.dataset.path)");
        Assert.Equal(new[] { "/s/B", "/s/a", "/s/b", "/s/b/c", "/s/b-x" }, order);

        // A file written later takes its sorted place too.
        await Curl.PutAsync(Node, "/s/b/a", "new");
        await Expect(ValueOf("/s/b/a")).ToHaveTextAsync("new");
        order = await Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#tree li[data-path]')].map(li => li.dataset.path)");
        Assert.Equal(new[] { "/s/B", "/s/a", "/s/b", "/s/b/a", "/s/b/c", "/s/b-x" }, order);

        var summary = Page.Locator("li.dir[data-path=\"/s/b\"] > details > summary");
        await summary.FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Row("/s/b/c")).ToBeHiddenAsync();
        await Expect(Row("/s/b-x")).ToBeVisibleAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Row("/s/b/c")).ToBeVisibleAsync();
    });

    [Fact]
    public Task Binary_values_show_a_hex_preview() => RunAsync(async () =>
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, [0xff, 0x00, 0x01, 0xfe]);
            await Curl.RunAsync(Node, "-X", "PUT", "--data-binary", "@" + file, Node.Url + "/tree/bin/walked");
            await OpenAsync("/bin");
            await Expect(ValueOf("/bin/walked")).ToHaveTextAsync("binary, 4 bytes: ff 00 01 fe");

            await Curl.RunAsync(Node, "-X", "PUT", "--data-binary", "@" + file, Node.Url + "/tree/bin/watched");
            await Expect(ValueOf("/bin/watched")).ToHaveTextAsync("binary, 4 bytes: ff 00 01 fe");
            await Curl.PutAsync(Node, "/bin/text", "ünïcode ✓");
            await Expect(ValueOf("/bin/text")).ToHaveTextAsync("ünïcode ✓");
        }
        finally
        {
            File.Delete(file);
        }
    });

    [Fact]
    public Task The_revision_shown_follows_writes_outside_the_subtree_through_progress_events() => RunAsync(async () =>
    {
        await Curl.PutAsync(Node, "/inside/x", "1");
        await OpenAsync("/inside");
        var outside = await Curl.PutAsync(Node, "/outside/y", "2");
        // The page asks for a progress event at least every 5 s; no event of its subtree carries this revision.
        await Expect(Page.Locator("#rev")).ToHaveTextAsync(outside.ToString(), new() { Timeout = 8000 });
        await Expect(Row("/outside/y")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task The_cluster_and_the_current_revision_are_shown() => RunAsync(async () =>
    {
        await OpenAsync();
        using var cluster = JsonDocument.Parse(await Curl.RunAsync(Node, Node.Url + "/cluster"));
        var member = cluster.RootElement.GetProperty("members")[0];
        Assert.Equal("webview", member.GetProperty("name").GetString());

        var row = Page.Locator("#cluster tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("webview (this node)");
        await Expect(row).ToContainTextAsync(member.GetProperty("role").GetString()!);
        await Expect(row).ToContainTextAsync("leader");
        await Expect(row).ToContainTextAsync(member.GetProperty("url").GetString()!);

        await Curl.PutAsync(Node, "/x", "1");
        using var rev = JsonDocument.Parse(await Curl.RunAsync(Node, Node.Url + "/rev"));
        await Expect(Page.Locator("#rev")).ToHaveTextAsync(rev.RootElement.GetProperty("rev").GetInt64().ToString());
    });
}
