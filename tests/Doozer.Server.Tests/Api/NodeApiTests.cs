using System.Net;
using System.Text.Json;

namespace Doozer.Server.Tests.Api;

/// <summary>API.md 3.2, 3.6 and 3.7: rev, nop, self, cluster and the operations endpoints.</summary>
public sealed class NodeApiTests : IDisposable
{
    private readonly DoozerApp _app = new(("Name", "alpha"), ("Cluster", "prod"));
    private readonly HttpClient _client;

    public NodeApiTests() => _client = _app.Client();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Rev_follows_writes_and_nop_keeps_it()
    {
        var response = await _client.GetAsync("/rev");
        var rev = (await response.JsonAsync()).GetProperty("rev").GetInt64();
        Assert.Equal(rev, response.Rev());
        var written = (await _client.PutAsync("/x", "1")).Rev();
        Assert.Equal(rev + 1, written);
        Assert.Equal(written, (await (await _client.GetAsync("/rev?consistency=stale")).JsonAsync()).GetProperty("rev").GetInt64());
        var nop = await _client.PostAsync("/nop", null);
        Assert.Equal(HttpStatusCode.OK, nop.StatusCode);
        Assert.Equal(written, (await nop.JsonAsync()).GetProperty("rev").GetInt64());
        Assert.Equal(written, (await (await _client.GetAsync("/rev")).JsonAsync()).GetProperty("rev").GetInt64());
    }

    [Fact]
    public async Task Self_names_this_node()
    {
        var self = await (await _client.GetAsync("/self")).JsonAsync();
        Assert.Equal("alpha", self.GetProperty("name").GetString());
        Assert.Matches("^[0-9a-f]{32}$", self.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Cluster_shows_this_node_as_the_only_voter_and_leader()
    {
        var cluster = await (await _client.GetAsync("/cluster")).JsonAsync();
        var id = (await (await _client.GetAsync("/self")).JsonAsync()).GetProperty("id").GetString();
        Assert.Equal("prod", cluster.GetProperty("name").GetString());
        Assert.Equal(id, cluster.GetProperty("self").GetString());
        Assert.Equal(id, cluster.GetProperty("leader").GetString());
        var member = Assert.Single(cluster.GetProperty("members").EnumerateArray());
        Assert.Equal(id, member.GetProperty("id").GetString());
        Assert.Equal("alpha", member.GetProperty("name").GetString());
        Assert.Equal("voter", member.GetProperty("role").GetString());
        Assert.Equal(cluster.GetProperty("rev").GetInt64(), member.GetProperty("applied").GetInt64());
        Assert.StartsWith("http://", member.GetProperty("url").GetString());
        // Configuration is data: the same facts are files under /ctl.
        Assert.Equal(id, await _client.GetStringAsync("/tree/ctl/cal/0"));
        Assert.Equal("prod", await _client.GetStringAsync("/tree/ctl/name"));
        Assert.Equal("alpha", await _client.GetStringAsync($"/tree/ctl/node/{id}/name"));
    }

    [Fact]
    public async Task An_emptied_slot_makes_the_node_a_learner_in_cluster()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsync("/ctl/cal/0", "")).StatusCode);
        var member = (await (await _client.GetAsync("/cluster")).JsonAsync()).GetProperty("members")[0];
        Assert.Equal("learner", member.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Livez_and_readyz_answer()
    {
        Assert.Equal("ok", await _client.GetStringAsync("/livez"));
        Assert.Equal("ready", await _client.GetStringAsync("/readyz"));
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_request_and_store_figures()
    {
        await _client.PutAsync("/m", "1");
        var response = await _client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var rev = (await (await _client.GetAsync("/rev")).JsonAsync()).GetProperty("rev").GetInt64();
        Assert.Contains($"doozer_store_revision {rev}", text);
        Assert.Contains("doozer_watch_streams 0", text);
        Assert.Contains("doozer_store_oldest_revision", text);
        Assert.Contains("http_request_duration_seconds_count{", text);
        // A lone node leads its one-voter cluster, and its writes went through slots.
        Assert.Contains("doozer_is_leader 1", text);
        Assert.Contains("doozer_has_leader 1", text);
        Assert.Matches(@"doozer_slots_applied [1-9]", text);
    }

    [Fact]
    public async Task Swagger_ui_and_the_openapi_document_are_served()
    {
        var ui = await _client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger", await ui.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var document = JsonDocument.Parse(await _client.GetStringAsync("/openapi/v1.json")).RootElement;
        Assert.Equal("Doozer", document.GetProperty("info").GetProperty("title").GetString());
    }
}
