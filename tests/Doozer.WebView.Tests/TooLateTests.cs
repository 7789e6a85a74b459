using Xunit.Abstractions;

namespace Doozer.WebView.Tests;

/// <summary>When the page was away longer than the node's history window it cannot resume: it reads the tree afresh.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TooLateTests(Chromium chromium, ITestOutputHelper output) : WebViewTest(chromium, output)
{
    protected override string[] Flags => ["--history", "3"];

    [Fact]
    public Task A_cut_longer_than_the_history_window_reloads_the_tree() => RunAsync(async () =>
    {
        using var proxy = new TcpProxy(Node.Port);
        await Curl.PutAsync(Node, "/h/gone", "1");
        await OpenAsync("/h", proxy.Url);
        await Expect(ValueOf("/h/gone")).ToHaveTextAsync("1");
        Assert.Equal("1", await Page.Locator("body").GetAttributeAsync("data-loads"));

        proxy.Cut();
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "reconnecting");
        Assert.Equal("204", await Curl.DeleteAsync(Node, "/h/gone"));
        for (var i = 0; i < 6; i++)
            await Curl.PutAsync(Node, $"/h/n{i}", i.ToString());

        // Resuming after the last event seen is now 410 too-late: the page reads the tree again instead.
        proxy.Restore();
        await Expect(Page.Locator("body")).ToHaveAttributeAsync("data-loads", "2", new() { Timeout = 20000 });
        await Expect(Page.Locator("#status")).ToHaveTextAsync("live");
        await Expect(Row("/h/gone")).ToHaveCountAsync(0);
        for (var i = 0; i < 6; i++)
            await Expect(ValueOf($"/h/n{i}")).ToHaveTextAsync(i.ToString());
        await Curl.PutAsync(Node, "/h/after", "x");
        await Expect(ValueOf("/h/after")).ToHaveTextAsync("x", new() { Timeout = 1000 });
    });
}
