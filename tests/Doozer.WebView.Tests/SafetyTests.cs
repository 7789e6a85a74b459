using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Doozer.WebView.Tests;

/// <summary>Values are text: a hostile value is shown, never parsed as HTML nor run.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SafetyTests(Chromium chromium, ITestOutputHelper output) : WebViewTest(chromium, output)
{
    private const string Hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script><b>bold</b>";

    [Fact]
    public Task A_hostile_value_is_shown_as_text_and_never_runs() => RunAsync(async () =>
    {
        await Curl.PutAsync(Node, "/evil/walked", Hostile);
        await OpenAsync("/evil");
        await Expect(ValueOf("/evil/walked")).ToHaveTextAsync(Hostile);

        await Curl.PutAsync(Node, "/evil/watched", Hostile);
        await Expect(ValueOf("/evil/watched")).ToHaveTextAsync(Hostile);

        // In the editor and in a conflict too.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Edit /evil/walked", Exact = true }).ClickAsync();
        await Expect(Page.Locator("#editor-value")).ToHaveValueAsync(Hostile);
        await Curl.PutAsync(Node, "/evil/walked", Hostile + "!");
        await Page.Locator("#editor-save").ClickAsync();
        await Expect(Page.Locator("#conflict-value")).ToHaveTextAsync(Hostile + "!");

        Assert.Equal(0, await Page.EvaluateAsync<int>("() => document.querySelectorAll('main img, main script, main b, dialog img, dialog script, dialog b').length"));
        Assert.True(await Page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
    });
}
