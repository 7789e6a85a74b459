using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Doozer.WebView.Tests;

/// <summary>One fresh node and one fresh browser context per test; the node's log (with the page's console) is printed
/// when a test fails.</summary>
public abstract class WebViewTest(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    protected DoozerNode Node { get; private set; } = null!;
    protected IBrowserContext Context { get; private set; } = null!;
    protected IPage Page { get; private set; } = null!;
    protected ITestOutputHelper Output => output;

    protected virtual string? Secret => null;
    protected virtual string[] Flags => [];
    protected virtual ViewportSize Viewport => new() { Width = 1280, Height = 800 };

    public async Task InitializeAsync()
    {
        Node = await DoozerNode.StartAsync(Secret, Flags);
        Context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = Viewport });
        Page = await Context.NewPageAsync();
        Page.Console += (_, m) => Node.Append($"[page {m.Type}] {m.Text}");
        Page.PageError += (_, e) => Node.Append($"[page error] {e}");
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Context.CloseAsync();
        }
        finally
        {
            await Node.DisposeAsync();
        }
    }

    /// <summary>Runs a test body; on failure prints the node's log and the page's console before rethrowing.</summary>
    protected async Task RunAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch
        {
            output.WriteLine("---- doozerd log and page console ----");
            output.WriteLine(Node.Log);
            throw;
        }
    }

    protected async Task OpenAsync(string subtree = "/", string? origin = null)
    {
        await Page.GotoAsync((origin ?? Node.Url) + "/#" + subtree);
        await Assertions.Expect(Page.Locator("#status")).ToHaveTextAsync("live");
    }

    protected ILocator Row(string path) => Page.Locator($"li.file[data-path=\"{path}\"]");
    protected ILocator ValueOf(string path) => Row(path).Locator(".value");

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
