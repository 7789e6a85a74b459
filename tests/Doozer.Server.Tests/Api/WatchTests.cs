using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Doozer.Server.Watches;
using Doozer.Store.Paths;
using Microsoft.Extensions.DependencyInjection;

namespace Doozer.Server.Tests.Api;

/// <summary>API.md 3.5: the SSE wire format and the five guarantees of watches.</summary>
public sealed class WatchTests : IDisposable
{
    private readonly DoozerApp _app = new(("History", "200"));
    private readonly HttpClient _client;

    public WatchTests() => _client = _app.Client();

    public void Dispose() => _app.Dispose();

    private async Task<long> CurrentRevAsync() => (await (await _client.GetAsync("/rev")).JsonAsync()).GetProperty("rev").GetInt64();

    [Fact]
    public async Task Events_are_sent_exactly_in_this_wire_format()
    {
        var start = await CurrentRevAsync() + 1;
        var set = (await _client.PutAsync("/a/b", "hello")).Rev();
        var del = (await _client.DeleteAsync("/tree/a/b")).Rev();
        await using var watch = await SseReader.OpenAsync(_client, $"/watch?glob=/a/**&rev={start}");
        Assert.Equal(HttpStatusCode.OK, watch.Response.StatusCode);
        Assert.Equal("text/event-stream", watch.Response.Content.Headers.ContentType?.MediaType);
        var opening = await watch.NextAsync();
        Assert.Equal($"event: progress\ndata: {{\"rev\":{start - 1}}}\nid: {start - 1}\n\n", opening!.Raw);
        var first = await watch.NextAsync();
        var second = await watch.NextAsync();
        Assert.Equal(
            $"event: set\ndata: {{\"rev\":{set},\"path\":\"/a/b\",\"kind\":\"set\",\"value\":\"aGVsbG8=\"}}\nid: {set}\n\n",
            first!.Raw);
        Assert.Equal(
            $"event: del\ndata: {{\"rev\":{del},\"path\":\"/a/b\",\"kind\":\"del\"}}\nid: {del}\n\n",
            second!.Raw);
    }

    [Fact]
    public async Task Utf8_encoding_sends_text_values()
    {
        var start = await CurrentRevAsync() + 1;
        await _client.PutAsync("/t", "héllo <b>");
        await _client.PutAsync("/bin", new byte[] { 0xff, 0x41 });
        await using var watch = await SseReader.OpenAsync(_client, $"/watch?glob=/*&rev={start}&encoding=utf8");
        Assert.Equal("progress", (await watch.NextAsync())!.Type);
        Assert.Equal("héllo <b>", (await watch.NextAsync())!.Json.GetProperty("value").GetString());
        Assert.Equal("\uFFFDA", (await watch.NextAsync())!.Json.GetProperty("value").GetString());
    }

    [Fact]
    public async Task A_revision_that_changes_several_files_is_sent_together_with_the_id_on_its_last_event()
    {
        await _client.PutAsync("/r/b", "1");
        await _client.PutAsync("/r/a/x", "2");
        await _client.PutAsync("/r/a-x", "3");
        var start = await CurrentRevAsync() + 1;
        var rev = (await _client.DeleteAsync("/tree/r?recursive=true")).Rev();
        await using var watch = await SseReader.OpenAsync(_client, $"/watch?glob=/r/**&rev={start}");
        var events = await watch.ReadThroughAsync(rev);
        Assert.Equal(["/r/a/x", "/r/a-x", "/r/b"], events.Select(e => e.Json.GetProperty("path").GetString()!).ToArray());
        Assert.All(events, e => Assert.Equal("del", e.Type));
        Assert.All(events, e => Assert.Equal(rev, e.Json.GetProperty("rev").GetInt64()));
        Assert.Equal(new string?[] { null, null, rev.ToString() }, events.Select(e => e.Id));
    }

    [Fact]
    public async Task A_glob_that_matches_part_of_a_revision_gets_those_events_with_the_id_on_the_last_it_gets()
    {
        await _client.PutAsync("/p/a", "1");
        await _client.PutAsync("/p/b", "2");
        await _client.PutAsync("/p/sub/x", "3");
        var start = await CurrentRevAsync() + 1;
        var rev = (await _client.DeleteAsync("/tree/p?recursive=true")).Rev();
        // Two streams with the same glob (they share the revision's match) and one that sees the whole revision.
        await using var part = await SseReader.OpenAsync(_client, $"/watch?glob=/p/*&rev={start}");
        await using var samePart = await SseReader.OpenAsync(_client, $"/watch?glob=/p/*&rev={start}");
        await using var whole = await SseReader.OpenAsync(_client, $"/watch?glob=/p/**&rev={start}");
        var expected = new[]
        {
            $"event: del\ndata: {{\"rev\":{rev},\"path\":\"/p/a\",\"kind\":\"del\"}}\n\n",
            $"event: del\ndata: {{\"rev\":{rev},\"path\":\"/p/b\",\"kind\":\"del\"}}\nid: {rev}\n\n",
        };
        Assert.Equal(expected, (await part.ReadThroughAsync(rev)).Select(e => e.Raw));
        Assert.Equal(expected, (await samePart.ReadThroughAsync(rev)).Select(e => e.Raw));
        var all = await whole.ReadThroughAsync(rev);
        Assert.Equal(["/p/a", "/p/b", "/p/sub/x"], all.Select(e => e.Json.GetProperty("path").GetString()!).ToArray());
        Assert.Equal(new string?[] { null, null, rev.ToString() }, all.Select(e => e.Id));
    }

    [Fact]
    public async Task Without_a_start_only_changes_after_now_are_sent()
    {
        await _client.PutAsync("/old", "before");
        await using var watch = await SseReader.OpenAsync(_client, "/watch?glob=/**");
        var opening = await watch.NextAsync();
        Assert.Equal("progress", opening!.Type);
        var rev = (await _client.PutAsync("/new", "after")).Rev();
        Assert.Equal((rev - 1).ToString(), opening.Id);
        var e = await watch.NextAsync();
        Assert.Equal("/new", e!.Json.GetProperty("path").GetString());
        Assert.Equal(rev.ToString(), e.Id);
    }

    [Fact]
    public async Task Last_event_id_resumes_exactly_after_that_revision_and_wins_over_rev()
    {
        var start = await CurrentRevAsync() + 1;
        var revs = new List<long>();
        for (var i = 0; i < 5; i++)
            revs.Add((await _client.PutAsync($"/k{i}", $"{i}")).Rev());
        await using var watch = await SseReader.OpenAsync(_client, $"/watch?glob=/k*&rev={start}", lastEventId: revs[2].ToString());
        var events = await watch.ReadThroughAsync(revs[4]);
        Assert.Equal([revs[3].ToString(), revs[4].ToString()], events.Select(e => e.Id!).ToArray());
    }

    [Fact]
    public async Task Quiet_streams_get_progress_events_that_bookmark_the_current_revision()
    {
        var before = await CurrentRevAsync();
        await using var watch = await SseReader.OpenAsync(_client, "/watch?glob=/quiet/**&progress=0.2");
        var rev = (await _client.PutAsync("/elsewhere", "not matching")).Rev();
        SseEvent? progress;
        do
            progress = await watch.NextAsync(TimeSpan.FromSeconds(5));
        while (progress is not null && long.Parse(progress.Id!) < rev);
        Assert.Equal("progress", progress!.Type);
        Assert.Equal($"event: progress\ndata: {{\"rev\":{rev}}}\nid: {rev}\n\n", progress.Raw);
        Assert.True(rev > before);
    }

    [Fact]
    public async Task A_start_below_the_window_is_410_too_late()
    {
        for (var i = 0; i < 210; i++)
            await _client.PutAsync("/fill", $"{i}");
        var current = await CurrentRevAsync();
        var byRev = await _client.GetAsync($"/watch?glob=/**&rev={current - 200}");
        await byRev.AssertProblemAsync(410, "too-late");
        var byId = await _client.SendAsync(HttpMethod.Get, "/watch?glob=/**", ("Last-Event-ID", (current - 201).ToString()));
        await byId.AssertProblemAsync(410, "too-late");
        await using var oldest = await SseReader.OpenAsync(_client, $"/watch?glob=/**&rev={current - 199}");
        Assert.Equal((current - 200).ToString(), (await oldest.NextAsync())!.Id);
        Assert.Equal((current - 199).ToString(), (await oldest.NextAsync())!.Id);
    }

    /// <summary>
    /// A stream written by the hub into a pipe that holds almost nothing unread: like a client that stops reading,
    /// the hub's flush then waits until the reader reads again.
    /// </summary>
    private (SseReader Reader, Task Stream, CancellationTokenSource Stop) OpenHubStream(long from)
    {
        var hub = _app.Services.GetRequiredService<WatchHub>();
        Assert.True(Glob.TryParse("/**", out var all));
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1));
        var stop = new CancellationTokenSource();
        var stream = Task.Run(async () =>
        {
            try
            {
                await hub.StreamAsync(pipe.Writer, all, from, false, TimeSpan.FromMinutes(1), stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            await pipe.Writer.CompleteAsync();
        });
        return (SseReader.Over(pipe.Reader.AsStream()), stream, stop);
    }

    [Fact]
    public async Task A_stream_that_falls_behind_the_window_ends_with_too_late_never_with_a_gap()
    {
        var from = await CurrentRevAsync() + 1;
        var first = (await _client.PutAsync("/slow", "first")).Rev();
        var (reader, stream, stop) = OpenHubStream(from);
        using var _ = stop;
        await using var __ = reader;
        Assert.Equal("progress", (await reader.NextAsync())!.Type);
        Assert.Equal(first.ToString(), (await reader.NextAsync())!.Id);
        // The reader stops reading; writes go on and are not blocked by it.
        long last = 0;
        for (var i = 0; i < 250; i++)
            last = (await _client.PutAsync("/slow", $"{i}")).Rev();
        // What the hub had flushed before it blocked arrives, then too-late names the last revision delivered, and
        // the stream ends.
        var delivered = first;
        SseEvent e;
        while ((e = (await reader.NextAsync())!).Type == "set")
            Assert.Equal((++delivered).ToString(), e.Id);
        Assert.Equal("too-late", e.Type);
        Assert.Equal(delivered.ToString(), e.Id);
        Assert.True(delivered < last - 200, "the stream fell behind the window");
        Assert.Null(await reader.NextAsync());
        await stream;
    }

    [Fact]
    public async Task A_slow_stream_inside_the_window_catches_up_from_history()
    {
        var from = await CurrentRevAsync() + 1;
        var (reader, stream, stop) = OpenHubStream(from);
        await using var _ = reader;
        var revs = new List<long>();
        for (var i = 0; i < 100; i++)
            revs.Add((await _client.PutAsync("/catch", $"{i}")).Rev());
        var events = await reader.ReadThroughAsync(revs[^1]);
        Assert.Equal(revs, events.Select(e => long.Parse(e.Id!)));
        await stop.CancelAsync();
        await stream;
        stop.Dispose();
    }

    [Fact]
    public async Task Concurrent_writers_watchers_see_the_committed_sequence_ordered_unique_reliable_atomic_and_resumable()
    {
        var start = await CurrentRevAsync() + 1;
        await using var all = await SseReader.OpenAsync(_client, $"/watch?glob=/w/**&rev={start}");
        await using var some = await SseReader.OpenAsync(_client, $"/watch?glob=/w/1/*&rev={start}");
        var committed = new ConcurrentBag<(long Rev, string Path, string Kind)>();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var client = _app.Client();
            for (var i = 0; i < 40; i++)
            {
                var path = $"/w/{w}/{i % 5}";
                if (i % 7 == 6)
                {
                    var response = await client.DeleteAsync("/tree" + path);
                    if (response.StatusCode == HttpStatusCode.NoContent)
                        committed.Add((response.Rev(), path, "del"));
                }
                else
                {
                    var response = await client.PutAsync(path, $"{w}.{i}");
                    committed.Add((response.Rev(), path, "set"));
                }
                if (i == 20 && w == 0)
                {
                    // A recursive delete: one revision, several events.
                    var tree = await client.DeleteAsync("/tree/w/3?recursive=true");
                    if (tree.StatusCode == HttpStatusCode.NoContent)
                    {
                        // The files it deleted are those the tree held just before its revision (read from the
                        // tree, not from the change feed under test).
                        var before = await (await client.GetAsync($"/walk?glob=/w/3/**&rev={tree.Rev() - 1}")).JsonAsync();
                        foreach (var f in before.GetProperty("files").EnumerateArray())
                            committed.Add((tree.Rev(), f.GetProperty("path").GetString()!, "del"));
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(writers);
        var last = await CurrentRevAsync();

        var expected = committed.OrderBy(c => c.Rev).ThenBy(c => c.Path, Comparer<string>.Create(TreePath.Compare)).ToList();
        var events = await all.ReadThroughAsync(last);
        var seen = events.Select(e => (e.Json.GetProperty("rev").GetInt64(), e.Json.GetProperty("path").GetString()!, e.Type)).ToList();
        Assert.Equal(expected, seen);
        AssertIdsStrictlyIncreaseAndNameWholeRevisions(events);

        var subset = await some.ReadThroughAsync(expected.Where(c => c.Path.StartsWith("/w/1/", StringComparison.Ordinal)).Max(c => c.Rev));
        Assert.Equal(
            expected.Where(c => c.Path.StartsWith("/w/1/", StringComparison.Ordinal)).ToList(),
            subset.Select(e => (e.Json.GetProperty("rev").GetInt64(), e.Json.GetProperty("path").GetString()!, e.Type)).ToList());

        // Resumable: cut the stream after any whole revision and resume with its id.
        var cut = events.Where(e => e.Id is not null).ElementAt(events.Count(e => e.Id is not null) / 2).Id!;
        await using var resumed = await SseReader.OpenAsync(_client, "/watch?glob=/w/**", lastEventId: cut);
        var rest = await resumed.ReadThroughAsync(last);
        var prefix = events.TakeWhile(e => e.Id != cut).Append(events.First(e => e.Id == cut));
        Assert.Equal(events.Select(e => e.Raw), prefix.Concat(rest).Select(e => e.Raw));
    }

    private static void AssertIdsStrictlyIncreaseAndNameWholeRevisions(List<SseEvent> events)
    {
        long previous = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var rev = events[i].Json.GetProperty("rev").GetInt64();
            Assert.True(rev >= previous, "revisions never decrease");
            var lastOfRevision = i == events.Count - 1 || events[i + 1].Json.GetProperty("rev").GetInt64() != rev;
            Assert.Equal(lastOfRevision ? rev.ToString() : null, events[i].Id);
            if (events[i].Id is not null)
            {
                Assert.True(rev > previous || i == 0, "ids strictly increase");
                previous = rev;
            }
        }
    }

    [Fact]
    public async Task Many_watchers_each_receive_every_write()
    {
        var start = await CurrentRevAsync() + 1;
        var watchers = new List<SseReader>();
        for (var i = 0; i < 50; i++)
            watchers.Add(await SseReader.OpenAsync(_client, $"/watch?glob=/**&rev={start}"));
        var revs = new List<long>();
        for (var i = 0; i < 20; i++)
            revs.Add((await _client.PutAsync($"/many/{i}", Encoding.UTF8.GetBytes($"{i}"))).Rev());
        foreach (var watcher in watchers)
        {
            var events = await watcher.ReadThroughAsync(revs[^1]);
            Assert.Equal(revs.Select(r => r.ToString()), events.Select(e => e.Id!));
            await watcher.DisposeAsync();
        }
    }
}
