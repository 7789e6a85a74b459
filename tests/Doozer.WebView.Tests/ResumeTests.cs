using System.Text.Json;
using Xunit.Abstractions;

namespace Doozer.WebView.Tests;

/// <summary>The one EventSource resumes after its connection is cut, from the last event id, without reloading.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ResumeTests(Chromium chromium, ITestOutputHelper output) : WebViewTest(chromium, output)
{
    [Fact]
    public Task The_page_resumes_after_its_connection_is_cut_without_losing_an_event() => RunAsync(async () =>
    {
        using var proxy = new TcpProxy(Node.Port);
        var walks = 0;
        var watches = new List<string>();
        Page.Request += (_, request) =>
        {
            if (request.Url.Contains("/walk?"))
                Interlocked.Increment(ref walks);
            if (request.Url.Contains("/watch?"))
            {
                lock (watches)
                    watches.Add(request.Url + " Last-Event-ID: " + (request.Headers.TryGetValue("last-event-id", out var id) ? id : "-"));
            }
        };
        await Curl.PutAsync(Node, "/r/before", "1");
        await OpenAsync("/r", proxy.Url);
        await Expect(ValueOf("/r/before")).ToHaveTextAsync("1");

        proxy.Cut();
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "reconnecting", new() { Timeout = 5000 });
        await Expect(Page.Locator("#status")).ToContainTextAsync("reconnecting");

        // Written while the page is cut off: every one of these must arrive, in order, after the reconnect.
        await Curl.PutAsync(Node, "/r/a", "1");
        await Curl.PutAsync(Node, "/r/b", "1");
        await Curl.PutAsync(Node, "/r/before", "2");
        Assert.Equal("204", await Curl.DeleteAsync(Node, "/r/b"));
        await Curl.PutAsync(Node, "/r/a", "2");
        var last = await Curl.PutAsync(Node, "/r/c", "1");
        await Task.Delay(500);
        await Expect(Row("/r/a")).ToHaveCountAsync(0);

        proxy.Restore();
        await Expect(Page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = 15000 });
        await Expect(ValueOf("/r/c")).ToHaveTextAsync("1");
        await Expect(ValueOf("/r/a")).ToHaveTextAsync("2");
        await Expect(ValueOf("/r/before")).ToHaveTextAsync("2");
        await Expect(Row("/r/b")).ToHaveCountAsync(0);
        await Expect(Row("/r/c").Locator(".frev")).ToHaveTextAsync($"rev {last}");
        using var rev = JsonDocument.Parse(await Curl.RunAsync(Node, Node.Url + "/rev"));
        await Expect(Page.Locator("#rev")).ToHaveTextAsync(rev.RootElement.GetProperty("rev").GetInt64().ToString());

        // Resumed, not reloaded: one walk in all, and the tree was built once.
        Assert.Equal(1, walks);
        Assert.Equal("1", await Page.Locator("body").GetAttributeAsync("data-loads"));
        lock (watches)
        {
            Output.WriteLine(string.Join("\n", watches));
            Assert.True(watches.Count >= 2, "the EventSource never reconnected");
        }

        // And it keeps following.
        await Curl.PutAsync(Node, "/r/after", "3");
        await Expect(ValueOf("/r/after")).ToHaveTextAsync("3", new() { Timeout = 1000 });
    });
}
