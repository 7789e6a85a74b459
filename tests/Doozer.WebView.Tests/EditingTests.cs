using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Doozer.WebView.Tests;

/// <summary>Add, edit and delete from the page, each a compare-and-set on the revision the user saw.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EditingTests(Chromium chromium, ITestOutputHelper output) : WebViewTest(chromium, output)
{
    private ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [Fact]
    public Task Add_edit_and_delete_from_the_page_reach_the_node() => RunAsync(async () =>
    {
        await OpenAsync();
        await Button("Add file").ClickAsync();
        await Page.Locator("#editor-path").FillAsync("/from/page");
        await Page.Locator("#editor-value").FillAsync("first");
        await Button("Save").ClickAsync();
        await Expect(Page.Locator("#editor")).ToBeHiddenAsync();
        await Expect(ValueOf("/from/page")).ToHaveTextAsync("first");
        Assert.Equal("first", await Curl.GetAsync(Node, "/from/page"));

        await Button("Edit /from/page").ClickAsync();
        await Expect(Page.Locator("#editor-value")).ToHaveValueAsync("first");
        await Page.Locator("#editor-value").FillAsync("second");
        await Button("Save").ClickAsync();
        await Expect(ValueOf("/from/page")).ToHaveTextAsync("second");
        Assert.Equal("second", await Curl.GetAsync(Node, "/from/page"));

        await Button("Delete /from/page").ClickAsync();
        await Page.Locator("#editor-save").ClickAsync();
        await Expect(Row("/from/page")).ToHaveCountAsync(0);
        Assert.Equal("404", await Curl.RunAsync(Node, "-o", "/dev/null", "-w", "%{http_code}", Node.Url + "/tree/from/page"));
    });

    [Fact]
    public Task The_clusters_own_files_offer_no_edit_or_delete_except_the_voter_slots() => RunAsync(async () =>
    {
        await OpenAsync();
        await Expect(ValueOf("/ctl/name")).ToHaveTextAsync("local");
        await Expect(Button("Edit /ctl/name")).ToHaveCountAsync(0);
        await Expect(Button("Delete /ctl/name")).ToHaveCountAsync(0);
        // The voter slots are the one part of /ctl clients may write.
        await Expect(Button("Edit /ctl/cal/0")).ToHaveCountAsync(1);
        await Curl.PutAsync(Node, "/ctlx", "not the cluster's");
        await Expect(Button("Edit /ctlx")).ToHaveCountAsync(1);
    });

    [Fact]
    public Task Editing_with_a_stale_revision_shows_the_conflict_and_overwrites_nothing() => RunAsync(async () =>
    {
        var seen = await Curl.PutAsync(Node, "/cfg/db", "old");
        await OpenAsync("/cfg");
        await Button("Edit /cfg/db").ClickAsync();
        await Expect(Page.Locator("#editor-cas")).ToContainTextAsync($"still at rev {seen}");

        // Someone else writes while the dialog is open; the row follows, the dialog keeps the revision it was opened at.
        var theirs = await Curl.PutAsync(Node, "/cfg/db", "theirs");
        await Expect(ValueOf("/cfg/db")).ToHaveTextAsync("theirs");
        await Page.Locator("#editor-value").FillAsync("mine");
        await Button("Save").ClickAsync();

        await Expect(Page.Locator("#conflict")).ToBeVisibleAsync();
        await Expect(Page.Locator("#conflict-text")).ToContainTextAsync($"was at rev {seen}");
        await Expect(Page.Locator("#conflict-text")).ToContainTextAsync($"now at rev {theirs}");
        await Expect(Page.Locator("#conflict-value")).ToHaveTextAsync("theirs");
        Assert.Equal("theirs", await Curl.GetAsync(Node, "/cfg/db"));
        await Expect(Page.Locator("#editor-value")).ToHaveValueAsync("mine");

        // Only an explicit choice writes, and again as a compare-and-set, on the revision just shown.
        await Page.Locator("#editor-retry").ClickAsync();
        await Expect(Page.Locator("#editor")).ToBeHiddenAsync();
        Assert.Equal("mine", await Curl.GetAsync(Node, "/cfg/db"));
        await Expect(ValueOf("/cfg/db")).ToHaveTextAsync("mine");
    });

    [Fact]
    public Task Deleting_or_adding_over_a_change_shows_the_conflict() => RunAsync(async () =>
    {
        var seen = await Curl.PutAsync(Node, "/lock", "a");
        await OpenAsync();
        await Button("Delete /lock").ClickAsync();
        await Curl.PutAsync(Node, "/lock", "b");
        await Page.Locator("#editor-save").ClickAsync();
        await Expect(Page.Locator("#conflict-value")).ToHaveTextAsync("b");
        await Expect(Page.Locator("#conflict-text")).ToContainTextAsync($"was at rev {seen}");
        Assert.Equal("b", await Curl.GetAsync(Node, "/lock"));
        await Button("Cancel").ClickAsync();

        await Button("Add file").ClickAsync();
        await Page.Locator("#editor-path").FillAsync("/lock");
        await Page.Locator("#editor-value").FillAsync("c");
        await Button("Save").ClickAsync();
        await Expect(Page.Locator("#conflict-text")).ToContainTextAsync("did not exist");
        await Expect(Page.Locator("#conflict-value")).ToHaveTextAsync("b");
        Assert.Equal("b", await Curl.GetAsync(Node, "/lock"));
    });

    [Fact]
    public Task The_controls_are_reachable_with_the_keyboard_alone() => RunAsync(async () =>
    {
        await OpenAsync();
        var reached = false;
        for (var i = 0; i < 40 && !reached; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            reached = await Page.EvaluateAsync<bool>("() => document.activeElement?.id === 'add'");
        }
        Assert.True(reached, "Tab never reached the Add button");
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#editor-path")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("End");
        await Page.Keyboard.TypeAsync("kb/file");
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.TypeAsync("typed");
        await Page.Keyboard.PressAsync("Tab");
        await Expect(Page.Locator("#editor-save")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(ValueOf("/kb/file")).ToHaveTextAsync("typed");
        Assert.Equal("typed", await Curl.GetAsync(Node, "/kb/file"));

        // Escape closes the dialog without writing.
        await Page.Locator("li.file[data-path=\"/kb/file\"] button").First.FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#editor")).ToBeVisibleAsync();
        await Page.Keyboard.PressAsync("Escape");
        await Expect(Page.Locator("#editor")).ToBeHiddenAsync();
    });
}
