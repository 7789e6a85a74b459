using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Doozer.WebView.Tests;

/// <summary>Screenshots of the page, kept as test artefacts, and a check that a narrow screen needs no sideways scroll.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(Chromium chromium, ITestOutputHelper output) : WebViewTest(chromium, output)
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private async Task SeedAsync()
    {
        await Curl.PutAsync(Node, "/message", "hello, world");
        await Curl.PutAsync(Node, "/config/db/master", "10.0.0.5:5432");
        await Curl.PutAsync(Node, "/config/db/replicas", "10.0.0.6:5432,10.0.0.7:5432");
        await Curl.PutAsync(Node, "/services/web/1", "{\"host\":\"10.0.0.21\",\"port\":8080,\"weight\":10,\"tags\":[\"blue\",\"eu-west-1a\",\"canary\"]}");
        await Curl.PutAsync(Node, "/services/web/2", "{\"host\":\"10.0.0.22\",\"port\":8080}");
        await Curl.PutAsync(Node, "/empty", "");
    }

    private async Task<string> ShootAsync(string name)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1000);
        Output.WriteLine("screenshot: " + path);
        Console.WriteLine("screenshot: " + path);
        return path;
    }

    [Fact]
    public Task A_wide_screenshot_is_kept() => RunAsync(async () =>
    {
        await SeedAsync();
        await OpenAsync();
        await Expect(Page.Locator("#cluster tbody tr")).ToHaveCountAsync(1);
        await Curl.PutAsync(Node, "/message", "hello, world (changed)");
        await Expect(Row("/message")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("flash"));
        await ShootAsync("webview-wide.png");
    });

    [Fact]
    public Task A_narrow_screen_needs_no_sideways_scroll() => RunAsync(async () =>
    {
        await Page.SetViewportSizeAsync(390, 844);
        await SeedAsync();
        await OpenAsync();
        await Expect(Page.Locator("#cluster tbody tr")).ToHaveCountAsync(1);
        await Expect(ValueOf("/services/web/1")).ToContainTextAsync("canary");
        Assert.True(await Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            "the page is wider than a 390 px screen");
        await ShootAsync("webview-narrow.png");
    });
}
