using System.Net;

namespace Doozer.Server.Tests.Api;

/// <summary>
/// Every malformed path, glob, header and query value gets its documented 4xx problem; nothing stored changes,
/// the node keeps serving, and nothing is ever a 500 (API.md section 4).
/// </summary>
public sealed class BadInputTests : IClassFixture<BadInputTests.Node>
{
    public sealed class Node : IDisposable
    {
        public DoozerApp App { get; } = new(("MaxValueBytes", "1024"));

        public void Dispose() => App.Dispose();
    }

    private readonly HttpClient _client;

    public BadInputTests(Node node) => _client = node.App.Client();

    public static TheoryData<string, string, string, string, int, string> Cases() => new()
    {
        // method, uri, header name, header value, status, problem type
        { "PUT", "/tree//a", "", "", 400, "bad-path" },
        { "PUT", "/tree/a//b", "", "", 400, "bad-path" },
        { "GET", "/tree//", "", "", 400, "bad-path" },
        { "PUT", "/tree/a%2Fb", "", "", 400, "bad-path" },
        { "GET", "/tree/a%2fb", "", "", 400, "bad-path" },
        { "PUT", "/tree/a%20b", "", "", 400, "bad-path" },
        { "PUT", "/tree/caf%C3%A9", "", "", 400, "bad-path" },
        { "PUT", "/tree/a:b", "", "", 400, "bad-path" },
        { "PUT", "/tree/a*", "", "", 400, "bad-path" },
        { "PUT", "/tree/a%25", "", "", 400, "bad-path" },
        { "PUT", "/tree/" + new string('n', 256), "", "", 400, "bad-path" },
        { "DELETE", "/tree/a/", "", "", 400, "bad-path" },
        { "GET", "/walk", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=a", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=/a/", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=//", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=/a//b", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=/./a", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=/../a", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=/a%20b", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=/[ab]", "", "", 400, "bad-glob" },
        { "GET", "/walk?glob=/" + new string('*', 256), "", "", 400, "bad-glob" },
        { "GET", "/wait?glob=x&timeout=0", "", "", 400, "bad-glob" },
        { "GET", "/watch?glob=/a/", "", "", 400, "bad-glob" },
        { "PUT", "/tree/h", "If-Match", "5", 400, "bad-request" },
        { "PUT", "/tree/h", "If-Match", "\"5", 400, "bad-request" },
        { "PUT", "/tree/h", "If-Match", "\"5\" \"6\"", 400, "bad-request" },
        { "PUT", "/tree/h", "If-Match", ",", 400, "bad-request" },
        { "PUT", "/tree/h", "If-Match", "W/5", 400, "bad-request" },
        { "PUT", "/tree/h", "If-Match", "\"a b\"", 400, "bad-request" },
        { "PUT", "/tree/h", "If-None-Match", "\"5\"", 400, "bad-request" },
        { "DELETE", "/tree/h", "If-Match", "nope", 400, "bad-request" },
        { "DELETE", "/tree/h", "If-None-Match", "*", 400, "bad-request" },
        { "GET", "/tree/h", "If-None-Match", "5", 400, "bad-request" },
        { "GET", "/watch?glob=/**", "Last-Event-ID", "abc", 400, "bad-request" },
        { "GET", "/watch?glob=/**", "Last-Event-ID", "-1", 400, "bad-request" },
        { "GET", "/tree/?rev=abc", "", "", 400, "bad-request" },
        { "GET", "/tree/?rev=-1", "", "", 400, "bad-request" },
        { "GET", "/tree/?rev=1.5", "", "", 400, "bad-request" },
        { "GET", "/tree/?rev=99999999999999999999", "", "", 400, "bad-request" },
        { "GET", "/tree/?limit=0", "", "", 400, "bad-request" },
        { "GET", "/tree/?limit=10001", "", "", 400, "bad-request" },
        { "GET", "/tree/?limit=abc", "", "", 400, "bad-request" },
        { "GET", "/tree/?wait=301", "", "", 400, "bad-request" },
        { "GET", "/tree/?wait=-1", "", "", 400, "bad-request" },
        { "GET", "/tree/?wait=NaN", "", "", 400, "bad-request" },
        { "GET", "/tree/?consistency=strong", "", "", 400, "bad-request" },
        { "GET", "/rev?consistency=", "", "", 400, "bad-request" },
        { "GET", "/rev?consistency=eventual", "", "", 400, "bad-request" },
        { "GET", "/walk?glob=/**&limit=20000", "", "", 400, "bad-request" },
        { "GET", "/walk?glob=/**&encoding=hex", "", "", 400, "bad-request" },
        { "GET", "/walk?glob=/**&rev=x", "", "", 400, "bad-request" },
        { "GET", "/wait?glob=/**&timeout=301", "", "", 400, "bad-request" },
        { "GET", "/wait?glob=/**&timeout=-0.5", "", "", 400, "bad-request" },
        { "GET", "/wait?glob=/**&rev=-3", "", "", 400, "bad-request" },
        { "GET", "/watch?glob=/**&progress=0", "", "", 400, "bad-request" },
        { "GET", "/watch?glob=/**&progress=3601", "", "", 400, "bad-request" },
        { "GET", "/watch?glob=/**&encoding=latin1", "", "", 400, "bad-request" },
        { "DELETE", "/tree/h?recursive=maybe", "", "", 400, "bad-request" },
        { "GET", "/no/such/route", "", "", 404, "not-found" },
        { "POST", "/tree/a", "", "", 405, "method-not-allowed" },
        { "GET", "/nop", "", "", 405, "method-not-allowed" },
        { "PUT", "/ctl/x", "", "", 404, "not-found" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_input_gets_its_problem_and_changes_nothing(string method, string uri, string header, string value, int status, string type)
    {
        await _client.PutAsync("/keep/me", "precious");
        var before = await _client.DumpAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), uri);
        if (method == "PUT")
            request.Content = new ByteArrayContent("new value"u8.ToArray());
        if (header.Length > 0)
            Assert.True(request.Headers.TryAddWithoutValidation(header, value));
        var response = await _client.SendAsync(request);
        if (type.Length > 0)
            await response.AssertProblemAsync(status, type);
        else
            Assert.Equal(status, (int)response.StatusCode);
        if (status == 405)
            Assert.NotNull(response.Content.Headers.Allow);
        Assert.Equal(before, await _client.DumpAsync());
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/livez")).StatusCode);
    }

    [Fact]
    public async Task Errors_come_in_the_documented_order()
    {
        // A malformed request is 400 before 413: the oversized body is never read.
        var response = await _client.PutAsync("/bad//path", new byte[5000]);
        await response.AssertProblemAsync(400, "bad-path");
        // 413 comes before 404/409: the root is a directory, but the value is too large first.
        await (await _client.PutAsync("/", new byte[5000])).AssertProblemAsync(413, "value-too-large");
        // 403 read-only-path comes before 413.
        await (await _client.PutAsync("/ctl/name", new byte[5000])).AssertProblemAsync(403, "read-only-path");
    }
}
