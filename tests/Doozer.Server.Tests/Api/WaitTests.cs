using System.Net;

namespace Doozer.Server.Tests.Api;

/// <summary>API.md 3.4: the long poll.</summary>
public sealed class WaitTests : IDisposable
{
    private readonly DoozerApp _app = new(("History", "30"));
    private readonly HttpClient _client;

    public WaitTests() => _client = _app.Client();

    public void Dispose() => _app.Dispose();

    private async Task<long> CurrentRevAsync() => (await (await _client.GetAsync("/rev")).JsonAsync()).GetProperty("rev").GetInt64();

    [Fact]
    public async Task Replays_the_first_matching_change_at_or_after_rev_from_history()
    {
        var start = await CurrentRevAsync() + 1;
        await _client.PutAsync("/other", "x");
        var rev = (await _client.PutAsync("/cfg/a", "v1")).Rev();
        await _client.PutAsync("/cfg/a", "v2");
        var response = await _client.GetAsync($"/wait?glob=/cfg/*&rev={start}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(rev, body.GetProperty("rev").GetInt64());
        Assert.Equal("/cfg/a", body.GetProperty("path").GetString());
        Assert.Equal("set", body.GetProperty("kind").GetString());
        Assert.Equal("djE=", body.GetProperty("value").GetString());
        Assert.False(body.TryGetProperty("also", out _));
        var utf8 = await (await _client.GetAsync($"/wait?glob=/cfg/*&rev={rev + 1}&encoding=utf8")).JsonAsync();
        Assert.Equal("v2", utf8.GetProperty("value").GetString());
    }

    [Fact]
    public async Task A_revision_with_several_matching_files_lists_the_others_in_also()
    {
        await _client.PutAsync("/d/b", "1");
        await _client.PutAsync("/d/a", "2");
        await _client.PutAsync("/d/c/x", "3");
        var rev = (await _client.DeleteAsync("/tree/d?recursive=true")).Rev();
        var body = await (await _client.GetAsync($"/wait?glob=/d/**&rev={rev}")).JsonAsync();
        Assert.Equal("/d/a", body.GetProperty("path").GetString());
        Assert.Equal("del", body.GetProperty("kind").GetString());
        Assert.False(body.TryGetProperty("value", out _));
        var also = body.GetProperty("also").EnumerateArray().Select(a => (a.GetProperty("path").GetString(), a.GetProperty("kind").GetString())).ToArray();
        Assert.Equal([("/d/b", "del"), ("/d/c/x", "del")], also);
    }

    [Fact]
    public async Task Without_rev_it_waits_for_the_next_change()
    {
        await _client.PutAsync("/n", "old");
        var pending = _client.GetAsync("/wait?glob=/n&timeout=10");
        await Task.Delay(200);
        Assert.False(pending.IsCompleted);
        var rev = (await _client.PutAsync("/n", "new")).Rev();
        var body = await (await pending).JsonAsync();
        Assert.Equal(rev, body.GetProperty("rev").GetInt64());
    }

    [Fact]
    public async Task Nothing_within_the_timeout_is_204()
    {
        var response = await _client.GetAsync("/wait?glob=/never&timeout=0");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var timed = await _client.GetAsync("/wait?glob=/never&timeout=0.2");
        Assert.Equal(HttpStatusCode.NoContent, timed.StatusCode);
    }

    [Fact]
    public async Task A_rev_below_the_window_is_410()
    {
        for (var i = 0; i < 40; i++)
            await _client.PutAsync("/fill", $"{i}");
        var current = await CurrentRevAsync();
        await (await _client.GetAsync($"/wait?glob=/**&rev={current - 30}")).AssertProblemAsync(410, "too-late");
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/wait?glob=/**&rev={current - 29}")).StatusCode);
    }
}
