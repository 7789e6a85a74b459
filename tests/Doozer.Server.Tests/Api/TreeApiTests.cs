using System.Net;
using System.Text;

namespace Doozer.Server.Tests.Api;

/// <summary>API.md 3.1 and 2: reads, writes, deletes, listings and their headers, row by row.</summary>
public sealed class TreeApiTests : IDisposable
{
    private readonly DoozerApp _app = new(("History", "50"), ("MaxValueBytes", "4096"));
    private readonly HttpClient _client;

    public TreeApiTests() => _client = _app.Client();

    public void Dispose() => _app.Dispose();

    private async Task<long> CurrentRevAsync() => (await (await _client.GetAsync("/rev")).JsonAsync()).GetProperty("rev").GetInt64();

    [Fact]
    public async Task Put_creates_a_file_with_201_location_etag_and_rev()
    {
        var before = await CurrentRevAsync();
        var response = await _client.PutAsync("/a/b", "hello");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/tree/a/b", response.Headers.Location?.OriginalString);
        Assert.Equal($"\"{before + 1}\"", response.Headers.ETag?.Tag);
        Assert.Equal(before + 1, response.Rev());
        var body = await response.JsonAsync();
        Assert.Equal("/a/b", body.GetProperty("path").GetString());
        Assert.Equal(before + 1, body.GetProperty("rev").GetInt64());
    }

    [Fact]
    public async Task Put_over_an_existing_file_is_200_and_bumps_the_rev_even_with_the_same_bytes()
    {
        var first = (await _client.PutAsync("/f", "same")).Rev();
        var again = await _client.PutAsync("/f", "same");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first + 1, again.Rev());
        Assert.Null(again.Headers.Location);
    }

    [Fact]
    public async Task Get_of_a_file_returns_raw_bytes_with_headers()
    {
        var rev = (await _client.PutAsync("/msg", "hello, world")).Rev();
        var response = await _client.GetAsync("/tree/msg");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello, world", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Equal($"\"{rev}\"", response.Headers.ETag?.Tag);
        Assert.Equal("file", response.Header("Doozer-Kind"));
        Assert.Equal(rev, response.Rev());
    }

    [Fact]
    public async Task Every_byte_value_round_trips()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync("/bin", all)).StatusCode);
        Assert.Equal(all, await _client.GetByteArrayAsync("/tree/bin"));
        var walk = await (await _client.GetAsync("/walk?glob=/bin")).JsonAsync();
        Assert.Equal(all, Convert.FromBase64String(walk.GetProperty("files")[0].GetProperty("value").GetString()!));
    }

    [Fact]
    public async Task Empty_values_are_files()
    {
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync("/empty", [])).StatusCode);
        var response = await _client.GetAsync("/tree/empty");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("file", response.Header("Doozer-Kind"));
    }

    [Fact]
    public async Task Deep_paths_create_their_directories()
    {
        var path = string.Concat(Enumerable.Range(0, 60).Select(i => $"/d{i}"));
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync(path, "deep")).StatusCode);
        Assert.Equal("deep", await _client.GetStringAsync("/tree" + path));
        var dir = await _client.GetAsync("/tree/d0/d1");
        Assert.Equal("dir", dir.Header("Doozer-Kind"));
        var longName = "/" + new string('n', 255);
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync(longName, "x")).StatusCode);
    }

    [Fact]
    public async Task Head_is_get_without_a_body()
    {
        var rev = (await _client.PutAsync("/h", "12345")).Rev();
        var file = await _client.SendAsync(HttpMethod.Head, "/tree/h");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal(5, file.Content.Headers.ContentLength);
        Assert.Equal($"\"{rev}\"", file.Headers.ETag?.Tag);
        Assert.Equal("file", file.Header("Doozer-Kind"));
        Assert.Empty(await file.Content.ReadAsByteArrayAsync());
        var dir = await _client.SendAsync(HttpMethod.Head, "/tree/");
        Assert.Equal("dir", dir.Header("Doozer-Kind"));
        var missing = await _client.SendAsync(HttpMethod.Head, "/tree/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Directory_listing_is_sorted_ordinally_with_kinds_revs_and_sizes()
    {
        await _client.PutAsync("/o/b", "12");
        await _client.PutAsync("/o/B", "1");
        var rev = (await _client.PutAsync("/o/a/x", "1")).Rev();
        foreach (var uri in new[] { "/tree/o", "/tree/o/" })
        {
            var response = await _client.GetAsync(uri);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("dir", response.Header("Doozer-Kind"));
            var body = await response.JsonAsync();
            Assert.Equal("/o", body.GetProperty("path").GetString());
            Assert.Equal(rev, body.GetProperty("rev").GetInt64());
            Assert.Equal(rev, response.Rev());
            var entries = body.GetProperty("entries");
            Assert.Equal(new[] { "B", "a", "b" }, entries.EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray());
            Assert.Equal("dir", entries[1].GetProperty("kind").GetString());
            Assert.False(entries[1].TryGetProperty("rev", out _));
            Assert.Equal("file", entries[2].GetProperty("kind").GetString());
            Assert.Equal(2, entries[2].GetProperty("size").GetInt32());
            Assert.True(entries[2].GetProperty("rev").GetInt64() > 0);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("next").ValueKind);
        }
    }

    [Fact]
    public async Task Root_is_a_directory_as_tree_and_tree_slash()
    {
        foreach (var uri in new[] { "/tree", "/tree/" })
        {
            var body = await (await _client.GetAsync(uri)).JsonAsync();
            Assert.Equal("/", body.GetProperty("path").GetString());
            Assert.Contains(body.GetProperty("entries").EnumerateArray(), e => e.GetProperty("name").GetString() == "ctl");
        }
    }

    [Fact]
    public async Task Listing_pages_with_limit_and_after_at_a_pinned_rev()
    {
        for (var i = 0; i < 25; i++)
            await _client.PutAsync($"/p/f{i:D2}", "v");
        var first = await (await _client.GetAsync("/tree/p?limit=10")).JsonAsync();
        var rev = first.GetProperty("rev").GetInt64();
        Assert.Equal("f09", first.GetProperty("next").GetString());
        await _client.PutAsync("/p/f00a", "inserted after the first page");
        var names = first.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
        string? after = first.GetProperty("next").GetString();
        while (after is not null)
        {
            var page = await (await _client.GetAsync($"/tree/p?limit=10&after={after}&rev={rev}")).JsonAsync();
            names.AddRange(page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()!));
            after = page.GetProperty("next").ValueKind == System.Text.Json.JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"f{i:D2}"), names);
    }

    [Fact]
    public async Task Missing_paths_are_404_and_files_as_directories_are_409_not_dir()
    {
        await _client.PutAsync("/file", "x");
        await (await _client.GetAsync("/tree/nothing")).AssertProblemAsync(404, "not-found");
        await (await _client.GetAsync("/tree/file/")).AssertProblemAsync(409, "not-dir");
        await (await _client.GetAsync("/tree/file/below")).AssertProblemAsync(409, "not-dir");
        await (await _client.PutAsync("/file/below", "x")).AssertProblemAsync(409, "not-dir");
        await (await _client.PutAsync("/file", "x")).Content.ReadAsStringAsync();
        await _client.PutAsync("/dir/x", "x");
        await (await _client.PutAsync("/dir", "x")).AssertProblemAsync(409, "is-dir");
        await (await _client.DeleteAsync("/tree/dir")).AssertProblemAsync(409, "is-dir");
        await (await _client.DeleteAsync("/tree/nothing")).AssertProblemAsync(404, "not-found");
    }

    [Fact]
    public async Task Trailing_slash_and_root_writes()
    {
        await (await _client.PutAsync("/x/", "v")).AssertProblemAsync(400, "bad-path");
        await (await _client.DeleteAsync("/tree/x/")).AssertProblemAsync(400, "bad-path");
        await (await _client.PutAsync("/", "v")).AssertProblemAsync(409, "is-dir");
        await (await _client.DeleteAsync("/tree/")).AssertProblemAsync(409, "is-dir");
    }

    [Fact]
    public async Task If_match_compare_and_set()
    {
        var rev = (await _client.PutAsync("/cas", "one")).Rev();
        var stale = await (await _client.PutAsync("/cas", "two", ("If-Match", $"\"{rev - 1}\""))).AssertProblemAsync(412, "rev-mismatch");
        Assert.Equal(rev, stale.GetProperty("currentRev").GetInt64());
        Assert.Equal("one", await _client.GetStringAsync("/tree/cas"));
        var ok = await _client.PutAsync("/cas", "two", ("If-Match", $"\"{rev}\""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var list = await _client.PutAsync("/cas", "three", ("If-Match", $"\"1\", \"{ok.Rev()}\""));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        await (await _client.PutAsync("/cas", "x", ("If-Match", $"W/\"{list.Rev()}\""))).AssertProblemAsync(412, "rev-mismatch");
        await (await _client.PutAsync("/cas", "x", ("If-Match", "\"abc\""))).AssertProblemAsync(412, "rev-mismatch");
        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsync("/cas", "four", ("If-Match", "*"))).StatusCode);
        Assert.Equal("four", await _client.GetStringAsync("/tree/cas"));
    }

    [Fact]
    public async Task If_match_on_a_missing_file_is_412_with_current_rev_zero()
    {
        var problem = await (await _client.PutAsync("/none", "x", ("If-Match", "*"))).AssertProblemAsync(412, "rev-mismatch");
        Assert.Equal(0, problem.GetProperty("currentRev").GetInt64());
        await (await _client.PutAsync("/none", "x", ("If-Match", "\"5\""))).AssertProblemAsync(412, "rev-mismatch");
        await (await _client.GetAsync("/tree/none")).AssertProblemAsync(404, "not-found");
    }

    [Fact]
    public async Task If_none_match_star_creates_only()
    {
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync("/once", "1", ("If-None-Match", "*"))).StatusCode);
        var again = await (await _client.PutAsync("/once", "2", ("If-None-Match", "*"))).AssertProblemAsync(412, "rev-mismatch");
        Assert.True(again.GetProperty("currentRev").GetInt64() > 0);
        Assert.Equal("1", await _client.GetStringAsync("/tree/once"));
    }

    [Fact]
    public async Task Errors_without_preconditions_come_before_412()
    {
        await _client.PutAsync("/d/x", "x");
        await (await _client.PutAsync("/d", "x", ("If-Match", "\"1\""))).AssertProblemAsync(409, "is-dir");
        await (await _client.SendAsync(HttpMethod.Delete, "/tree/missing", ("If-Match", "\"1\""))).AssertProblemAsync(404, "not-found");
        await (await _client.SendAsync(HttpMethod.Delete, "/tree/d", ("If-Match", "\"1\""))).AssertProblemAsync(409, "is-dir");
    }

    [Fact]
    public async Task Get_if_none_match_is_304_while_the_rev_is_current()
    {
        var rev = (await _client.PutAsync("/c", "x")).Rev();
        var cached = await _client.SendAsync(HttpMethod.Get, "/tree/c", ("If-None-Match", $"\"{rev}\""));
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        Assert.Empty(await cached.Content.ReadAsByteArrayAsync());
        await _client.PutAsync("/c", "y");
        var fresh = await _client.SendAsync(HttpMethod.Get, "/tree/c", ("If-None-Match", $"\"{rev}\""));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("y", await fresh.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Delete_is_204_with_rev_and_conditional()
    {
        var rev = (await _client.PutAsync("/del", "x")).Rev();
        await (await _client.SendAsync(HttpMethod.Delete, "/tree/del", ("If-Match", $"\"{rev + 100}\""))).AssertProblemAsync(412, "rev-mismatch");
        var deleted = await _client.SendAsync(HttpMethod.Delete, "/tree/del", ("If-Match", $"\"{rev}\""));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(rev + 1, deleted.Rev());
        await (await _client.GetAsync("/tree/del")).AssertProblemAsync(404, "not-found");
    }

    [Fact]
    public async Task Deleting_the_last_file_removes_its_directories()
    {
        await _client.PutAsync("/gone/a/b", "x");
        await _client.DeleteAsync("/tree/gone/a/b");
        await (await _client.GetAsync("/tree/gone")).AssertProblemAsync(404, "not-found");
    }

    [Fact]
    public async Task Recursive_delete_removes_a_subtree_at_one_revision()
    {
        await _client.PutAsync("/r/a", "1");
        await _client.PutAsync("/r/b/c", "2");
        var before = await CurrentRevAsync();
        var response = await _client.DeleteAsync("/tree/r?recursive=true");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(before + 1, response.Rev());
        await (await _client.GetAsync("/tree/r")).AssertProblemAsync(404, "not-found");
        await (await _client.SendAsync(HttpMethod.Delete, "/tree/r?recursive=true", ("If-Match", "*"))).AssertProblemAsync(400, "bad-request");
        await (await _client.DeleteAsync("/tree/r?recursive=true")).AssertProblemAsync(404, "not-found");
    }

    [Fact]
    public async Task Reads_at_a_revision_inside_the_window_and_410_below_it()
    {
        var first = (await _client.PutAsync("/h/v", "one")).Rev();
        await _client.PutAsync("/h/v", "two");
        Assert.Equal("one", await _client.GetStringAsync($"/tree/h/v?rev={first}"));
        await (await _client.GetAsync($"/tree/h/v?rev={first - 1}")).AssertProblemAsync(404, "not-found");
        for (var i = 0; i < 60; i++)
            await _client.PutAsync("/h/w", $"{i}");
        var tooLate = await (await _client.GetAsync($"/tree/h/v?rev={first}")).AssertProblemAsync(410, "too-late");
        Assert.True(tooLate.GetProperty("rev").GetInt64() > first);
        var current = await CurrentRevAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/tree/h/w?rev={current - 49}")).StatusCode);
        await (await _client.GetAsync($"/tree/h/w?rev={current - 50}")).AssertProblemAsync(410, "too-late");
    }

    [Fact]
    public async Task A_revision_not_reached_yet_waits_then_504()
    {
        var current = await CurrentRevAsync();
        await (await _client.GetAsync($"/tree/?rev={current + 5}&wait=0")).AssertProblemAsync(504, "timeout");
        var pending = _client.GetAsync($"/tree/later?rev={current + 1}&wait=10");
        await Task.Delay(100);
        Assert.False(pending.IsCompleted);
        await _client.PutAsync("/later", "now");
        var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("now", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Stale_and_linearizable_reads_see_acknowledged_writes()
    {
        await _client.PutAsync("/s", "v1");
        Assert.Equal("v1", await _client.GetStringAsync("/tree/s?consistency=stale"));
        Assert.Equal("v1", await _client.GetStringAsync("/tree/s?consistency=linearizable"));
    }

    [Fact]
    public async Task Values_over_the_limit_are_413_and_change_nothing()
    {
        var before = await _client.DumpAsync();
        await (await _client.PutAsync("/big", new byte[4097])).AssertProblemAsync(413, "value-too-large");
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync("/big", new byte[4096])).StatusCode);
        var chunked = new HttpRequestMessage(HttpMethod.Put, "/tree/big2") { Content = new StreamContent(new MemoryStream(new byte[10000])) };
        chunked.Headers.TransferEncodingChunked = true;
        await (await _client.SendAsync(chunked)).AssertProblemAsync(413, "value-too-large");
        Assert.NotEqual(before, await _client.DumpAsync());
        await (await _client.GetAsync("/tree/big2")).AssertProblemAsync(404, "not-found");
    }

    [Fact]
    public async Task Ctl_is_read_only_except_voter_slots()
    {
        var walk = await (await _client.GetAsync("/walk?glob=/ctl/**")).JsonAsync();
        Assert.NotEmpty(walk.GetProperty("files").EnumerateArray());
        await (await _client.PutAsync("/ctl/name", "x")).AssertProblemAsync(403, "read-only-path");
        await (await _client.PutAsync("/ctl/other", "x")).AssertProblemAsync(403, "read-only-path");
        await (await _client.DeleteAsync("/tree/ctl/name")).AssertProblemAsync(403, "read-only-path");
        await (await _client.DeleteAsync("/tree/ctl?recursive=true")).AssertProblemAsync(403, "read-only-path");
        await (await _client.DeleteAsync("/tree/ctl/cal?recursive=true")).AssertProblemAsync(403, "read-only-path");
        await (await _client.DeleteAsync("/tree/?recursive=true")).AssertProblemAsync(403, "read-only-path");
        await (await _client.PutAsync("/ctl/cal/7", "not-a-node")).AssertProblemAsync(400, "bad-request");
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync("/ctl/cal/7", "")).StatusCode);
        var self = (await (await _client.GetAsync("/self")).JsonAsync()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsync("/ctl/cal/7", self)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/tree/ctl/cal/7")).StatusCode);
        Assert.Equal(walk.GetProperty("files").ToString(), (await (await _client.GetAsync("/walk?glob=/ctl/**")).JsonAsync()).GetProperty("files").ToString());
    }

    [Fact]
    public async Task Recursive_delete_of_user_data_leaves_ctl_alone()
    {
        await _client.PutAsync("/u/a", "1");
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/tree/u?recursive=true")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/tree/ctl/name")).StatusCode);
    }

    [Fact]
    public async Task Text_values_are_stored_as_given_whatever_the_content_type()
    {
        var content = new StringContent("{\"json\":true}", Encoding.UTF8, "application/json");
        var response = await _client.PutAsync("/tree/j", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("{\"json\":true}", await _client.GetStringAsync("/tree/j"));
    }
}
