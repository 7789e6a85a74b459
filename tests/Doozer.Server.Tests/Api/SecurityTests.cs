using System.Net;

namespace Doozer.Server.Tests.Api;

/// <summary>API.md section 6: the read-write and read-only secrets.</summary>
public sealed class SecurityTests : IDisposable
{
    private readonly DoozerApp _app = new(("Secret", "rw-s3cret"), ("RoSecret", "ro-s3cret"));

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("GET", "/tree/")]
    [InlineData("GET", "/walk?glob=/**")]
    [InlineData("GET", "/wait?glob=/**&timeout=0")]
    [InlineData("GET", "/watch?glob=/**")]
    [InlineData("GET", "/rev")]
    [InlineData("GET", "/self")]
    [InlineData("GET", "/cluster")]
    [InlineData("GET", "/metrics")]
    [InlineData("POST", "/nop")]
    [InlineData("PUT", "/tree/x")]
    [InlineData("DELETE", "/tree/x")]
    public async Task Without_a_secret_everything_but_health_and_docs_is_401(string method, string uri)
    {
        var client = _app.Client();
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), uri));
        await response.AssertProblemAsync(401, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var wrong = await _app.Client("guess").SendAsync(new HttpRequestMessage(new HttpMethod(method), uri));
        await wrong.AssertProblemAsync(401, "unauthorized");
    }

    [Theory]
    [InlineData("/livez")]
    [InlineData("/readyz")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/swagger/index.html")]
    public async Task Health_and_docs_need_no_secret(string uri)
    {
        Assert.Equal(HttpStatusCode.OK, (await _app.Client().GetAsync(uri)).StatusCode);
    }

    [Fact]
    public async Task The_rw_secret_reads_and_writes()
    {
        var client = _app.Client("rw-s3cret");
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("/x", "1")).StatusCode);
        Assert.Equal("1", await client.GetStringAsync("/tree/x"));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/nop", null)).StatusCode);
    }

    [Fact]
    public async Task The_ro_secret_reads_but_writes_are_403()
    {
        await _app.Client("rw-s3cret").PutAsync("/x", "1");
        var client = _app.Client("ro-s3cret");
        Assert.Equal("1", await client.GetStringAsync("/tree/x"));
        await (await client.PutAsync("/x", "2")).AssertProblemAsync(403, "forbidden");
        await (await client.DeleteAsync("/tree/x")).AssertProblemAsync(403, "forbidden");
        await (await client.PostAsync("/nop", null)).AssertProblemAsync(403, "forbidden");
        Assert.Equal("1", await client.GetStringAsync("/tree/x"));
    }

    [Fact]
    public async Task Access_token_in_the_query_works_for_event_source()
    {
        var client = _app.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/rev?access_token=ro-s3cret")).StatusCode);
        await using var watch = await SseReader.OpenAsync(client, "/watch?glob=/**&access_token=rw-s3cret");
        Assert.Equal(HttpStatusCode.OK, watch.Response.StatusCode);
        Assert.Equal("progress", (await watch.NextAsync())!.Type);
    }

    [Fact]
    public async Task Malformed_requests_are_400_before_401()
    {
        var client = _app.Client();
        await (await client.PutAsync("/bad//path", "x")).AssertProblemAsync(400, "bad-path");
        await (await client.GetAsync("/walk?glob=nope")).AssertProblemAsync(400, "bad-glob");
        await (await client.GetAsync("/tree/?limit=0")).AssertProblemAsync(400, "bad-request");
    }
}
