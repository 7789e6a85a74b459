using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Doozer.WebView.Tests;

/// <summary>With --secret the page and its files load freely; the page asks for the secret and uses it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SecretTests(Chromium chromium, ITestOutputHelper output) : WebViewTest(chromium, output)
{
    protected override string? Secret => "s3cret-Token";

    private async Task<string> StatusWithoutSecretAsync(string path)
    {
        using var open = new HttpClient();
        return ((int)(await open.GetAsync(Node.Url + path)).StatusCode).ToString();
    }

    [Fact]
    public Task The_page_asks_for_the_secret_and_uses_it() => RunAsync(async () =>
    {
        Assert.Equal("200", await StatusWithoutSecretAsync("/"));
        Assert.Equal("200", await StatusWithoutSecretAsync("/app.js"));
        Assert.Equal("401", await StatusWithoutSecretAsync("/rev"));
        await Curl.PutAsync(Node, "/guarded", "inside");

        await Page.GotoAsync(Node.Url + "/");
        await Expect(Page.Locator("#login")).ToBeVisibleAsync();
        await Expect(Page.Locator("#login-secret")).ToBeFocusedAsync();

        await Page.Locator("#login-secret").FillAsync("wrong");
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#login-error")).ToHaveTextAsync("That secret was not accepted.");

        await Page.Locator("#login-secret").FillAsync(Secret!);
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#login")).ToBeHiddenAsync();
        await Expect(Page.Locator("#status")).ToHaveTextAsync("live");
        await Expect(ValueOf("/guarded")).ToHaveTextAsync("inside");
        await Expect(Page.Locator("#cluster tbody tr")).ToContainTextAsync("webview");

        // Live updates come through the EventSource, which carries the secret as access_token.
        await Curl.PutAsync(Node, "/guarded", "changed");
        await Expect(ValueOf("/guarded")).ToHaveTextAsync("changed", new() { Timeout = 1000 });

        // Writes from the page carry it as a bearer token.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Edit /guarded", Exact = true }).ClickAsync();
        await Page.Locator("#editor-value").FillAsync("from the page");
        await Page.Locator("#editor-save").ClickAsync();
        await Expect(ValueOf("/guarded")).ToHaveTextAsync("from the page");
        Assert.Equal("from the page", await Curl.GetAsync(Node, "/guarded"));

        // The secret is kept for this tab: a reload does not ask again.
        await Page.ReloadAsync();
        await Expect(Page.Locator("#status")).ToHaveTextAsync("live");
        await Expect(Page.Locator("#login")).ToBeHiddenAsync();
    });
}
