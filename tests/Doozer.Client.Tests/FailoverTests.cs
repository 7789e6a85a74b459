using System.Text;
using Doozer.Contracts;
using Doozer.TestKit.Processes;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Doozer.Client.Tests;

/// <summary>
/// Failover to the next URL when a node is dead (a closed port) and watches that resume after their connection is
/// cut. A real cluster (a node killed, the watch continuing on another) needs multi-node clustering, not built yet.
/// </summary>
public sealed class FailoverTests(NodeFixture fixture, ITestOutputHelper output) : IClassFixture<NodeFixture>
{
    private static Uri Dead() => new($"http://127.0.0.1:{DoozerdProcess.FreePort()}");

    [Fact]
    public async Task Reads_and_writes_fail_over_from_a_dead_first_url_and_stay_on_the_live_node()
    {
        using var client = fixture.Client(Dead(), Dead());
        var path = NodeFixture.Dir() + "/f";
        var set = await client.SetAsync(path, "v"u8.ToArray());
        Assert.True(set.Succeeded);
        Assert.Equal(fixture.Node.Url, client.CurrentNode);
        Assert.Equal(set.Rev, (await client.GetAsync(path))!.Rev);
        Assert.True(await client.RevAsync() >= set.Rev);
        Assert.True((await client.DeleteAsync(path, set.Rev)).Succeeded);
        Assert.NotEmpty(await client.WalkAsync("/**").ToListAsync());
    }

    [Fact]
    public async Task When_every_node_is_dead_the_client_says_which_failed()
    {
        using var client = new DoozerClient(Dead(), Dead());
        var error = await Assert.ThrowsAsync<DoozerUnavailableException>(() => client.RevAsync());
        Assert.Contains("no node answered", error.Message);
        await Assert.ThrowsAsync<DoozerUnavailableException>(() => client.GetAsync("/x"));
    }

    [Fact]
    public async Task A_watch_fails_over_from_a_dead_first_url()
    {
        using var client = fixture.Client(Dead());
        var dir = NodeFixture.Dir();
        var set = await client.SetAsync(dir + "/f", "v"u8.ToArray());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var first = await client.WatchAsync(dir + "/**", set.Rev, cts.Token).FirstAsync(cts.Token);
        Assert.Equal(set.Rev, first.Rev);
    }

    [Fact]
    public async Task A_watch_whose_connection_is_cut_again_and_again_resumes_with_last_event_id_without_gap_or_duplicate()
    {
        using var proxy = new TcpProxy(fixture.Node.Port);
        using var writer = fixture.Client();
        using var watcher = new DoozerClient(new DoozerClientOptions { Nodes = { proxy.Url }, ReconnectDelay = TimeSpan.FromMilliseconds(20), WatchProgressSeconds = 0.2 });
        var dir = NodeFixture.Dir();
        var start = await writer.SetAsync(dir + "/start", "s"u8.ToArray());
        const int Writes = 60;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<WatchEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in watcher.WatchAsync(dir + "/**", start.Rev, cts.Token))
            {
                lock (received)
                    received.Add(e);
                if (e.Path == dir + "/end")
                    return;
            }
        });
        var expected = new List<(long, string, WatchEventKind)> { (start.Rev, dir + "/start", WatchEventKind.Set) };
        for (var i = 0; i < Writes; i++)
        {
            if (i % 3 == 0)
            {
                var tree = await writer.SetAsync($"{dir}/m/{i}/a", "a"u8.ToArray());
                expected.Add((tree.Rev, $"{dir}/m/{i}/a", WatchEventKind.Set));
            }
            else if (i % 3 == 1)
            {
                var del = await writer.DeleteTreeAsync($"{dir}/m/{i - 1}");
                expected.Add((del, $"{dir}/m/{i - 1}/a", WatchEventKind.Delete));
            }
            else
            {
                var set = await writer.SetAsync($"{dir}/f", Encoding.UTF8.GetBytes($"v{i}"));
                expected.Add((set.Rev, $"{dir}/f", WatchEventKind.Set));
            }
            if (i % 7 == 3)
                proxy.CutAll();
            await Task.Delay(10);
        }
        var end = await writer.SetAsync(dir + "/end", Array.Empty<byte>());
        expected.Add((end.Rev, dir + "/end", WatchEventKind.Set));
        await reading.WaitAsync(cts.Token);
        output.WriteLine($"connections: {proxy.Accepted}, events: {received.Count}");
        Assert.True(proxy.Accepted > 3, $"the watch reconnected only {proxy.Accepted - 1} times");
        Assert.Equal(expected, received.Select(e => (e.Rev, e.Path, e.Kind)));
    }

    [Fact]
    public async Task A_revision_cut_in_the_middle_is_delivered_whole_once()
    {
        // A recursive delete of many files is one revision sent as many events; cutting while it streams must not
        // deliver part of it twice.
        using var proxy = new TcpProxy(fixture.Node.Port);
        using var writer = fixture.Client();
        using var watcher = new DoozerClient(new DoozerClientOptions { Nodes = { proxy.Url }, ReconnectDelay = TimeSpan.FromMilliseconds(20) });
        var dir = NodeFixture.Dir();
        var first = 0L;
        for (var i = 0; i < 200; i++)
        {
            var set = await writer.SetAsync($"{dir}/d/{i:D3}", new byte[2000]);
            first = first == 0 ? set.Rev : first;
        }
        var del = await writer.DeleteTreeAsync(dir + "/d");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<WatchEvent>();
        await foreach (var e in watcher.WatchAsync(dir + "/**", first, cts.Token))
        {
            received.Add(e);
            if (received.Count % 97 == 0)
                proxy.CutAll();
            if (received.Count == 400)
                break;
        }
        Assert.Equal(200, received.Count(e => e.Rev == del));
        Assert.Equal(received.Count, received.Select(e => (e.Rev, e.Path)).Distinct().Count());
    }

    [Fact]
    public async Task A_watch_from_below_the_history_window_is_too_late()
    {
        await using var node = await DoozerdProcess.StartAsync(output.WriteLine, "--history", "5");
        using var client = new DoozerClient(node.Url);
        for (var i = 0; i < 20; i++)
            await client.SetAsync("/f", "x"u8.ToArray());
        var error = await Assert.ThrowsAsync<DoozerException>(async () => await client.WatchAsync("/**", 1).FirstAsync());
        Assert.Equal(ProblemTypes.TooLate, error.ProblemType);
    }

    [Fact]
    public async Task The_secret_is_sent_as_a_bearer_token()
    {
        await using var node = await DoozerdProcess.StartAsync(output.WriteLine, "--secret", "s3cret");
        using var open = new DoozerClient(node.Url);
        var refused = await Assert.ThrowsAsync<DoozerException>(() => open.RevAsync());
        Assert.Equal(ProblemTypes.Unauthorized, refused.ProblemType);
        using var client = new DoozerClient(new DoozerClientOptions { Nodes = { node.Url }, Secret = "s3cret" });
        var set = await client.SetAsync("/f", "x"u8.ToArray());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(set.Rev, (await client.WatchAsync("/f", set.Rev, cts.Token).FirstAsync(cts.Token)).Rev);
    }

    [Fact]
    public async Task Add_doozer_client_registers_the_refit_api_and_the_failover_client()
    {
        var services = new ServiceCollection();
        services.AddDoozerClient(options =>
        {
            options.Nodes.Add(Dead());
            options.Nodes.Add(fixture.Node.Url);
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DoozerClient>();
        Assert.True(await client.RevAsync() > 0);
        Assert.Equal(fixture.Node.Url, client.CurrentNode);
        var api = provider.GetRequiredService<IDoozerApi>();
        // The Refit client talks to the first node only: it is dead.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await api.GetRev();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException("refused");
        });

        var single = new ServiceCollection();
        single.AddDoozerClient(fixture.Node.Url.ToString());
        await using var singleProvider = single.BuildServiceProvider();
        var rev = await singleProvider.GetRequiredService<IDoozerApi>().GetRev();
        Assert.True(rev.IsSuccessStatusCode);
        Assert.True(rev.Content!.Rev > 0);
        using var livez = await singleProvider.GetRequiredService<IDoozerApi>().Livez();
        Assert.True(livez.IsSuccessStatusCode);
    }
}
