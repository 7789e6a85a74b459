using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Client.Tests.Examples;

/// <summary>
/// Runs every request of every http-examples/*.http file and every curl line of http-examples/curl.md against a live
/// node, in order, so the examples never rot. A request succeeds with a 2xx, or with the status its
/// <c># expect: N</c> comment documents. Watch streams are read until their first event, then closed.
/// </summary>
public sealed partial class HttpExamplesTests(ITestOutputHelper output)
{
    private const string DocumentedHost = "http://127.0.0.1:8046";

    private sealed record Request(string Title, string Method, string Url, List<(string Name, string Value)> Headers, string? Body, int? Expect);

    public static TheoryData<string> HttpFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(OpenApiCoverageTests.RepoFile("http-examples"), "*.http").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void There_is_an_http_file_per_area_and_a_curl_page()
    {
        var files = Directory.GetFiles(OpenApiCoverageTests.RepoFile("http-examples"), "*.http").Select(Path.GetFileName).ToHashSet();
        foreach (var area in new[] { "tree", "walk", "wait", "watch", "cluster", "operations" })
            Assert.Contains(area + ".http", files);
        Assert.True(File.Exists(Path.Combine(OpenApiCoverageTests.RepoFile("http-examples"), "curl.md")));
    }

    [Theory]
    [MemberData(nameof(HttpFiles))]
    public async Task Every_request_of_the_http_file_succeeds_against_a_live_node(string file)
    {
        await using var node = await DoozerdProcess.StartAsync(output.WriteLine);
        var requests = Parse(File.ReadAllText(Path.Combine(OpenApiCoverageTests.RepoFile("http-examples"), file)), node.Url);
        Assert.NotEmpty(requests);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (var request in requests)
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
            if (request.Body is not null)
                message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
            foreach (var (name, value) in request.Headers)
            {
                if (!message.Headers.TryAddWithoutValidation(name, value))
                {
                    message.Content ??= new ByteArrayContent([]);
                    message.Content.Headers.Remove(name);
                    message.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)response.StatusCode;
            string body;
            if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                // The stream opens with a progress event at once; read its first line and close.
                body = await reader.ReadLineAsync() ?? "";
                Assert.Matches("^(event|id|data):", body);
            }
            else
            {
                body = await response.Content.ReadAsStringAsync();
            }
            output.WriteLine($"{request.Method} {request.Url} -> {status}");
            var ok = request.Expect is { } expect ? status == expect : status is >= 200 and < 300;
            Assert.True(ok, $"{file}: '{request.Title}' {request.Method} {request.Url} answered {status} (expected {request.Expect?.ToString() ?? "2xx"}):\n{body}");
        }
    }

    [Fact]
    public async Task Every_curl_line_of_curl_md_succeeds_with_the_real_curl()
    {
        Assert.True(File.Exists("/usr/bin/curl"), "the examples test needs /usr/bin/curl");
        await using var node = await DoozerdProcess.StartAsync(output.WriteLine);
        var lines = CurlLines(File.ReadAllText(Path.Combine(OpenApiCoverageTests.RepoFile("http-examples"), "curl.md")));
        Assert.True(lines.Count >= 14, $"only {lines.Count} curl lines");
        foreach (var (line, expect) in lines)
        {
            var command = line.Replace(DocumentedHost, node.Url.ToString().TrimEnd('/'), StringComparison.Ordinal);
            var watch = command.Contains("/watch", StringComparison.Ordinal);
            // The status goes to stderr so the example's own output stays as it is; a watch is cut after 2 s.
            var script = $"{command} -s -w '%{{stderr}}%{{http_code}}'{(watch ? " --max-time 2" : "")}";
            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var status = int.TryParse((await stderr).Trim(), out var code) ? code : 0;
            output.WriteLine($"{command} -> exit {process.ExitCode}, {status}");
            var exitOk = process.ExitCode == 0 || (watch && process.ExitCode == 28);
            var statusOk = expect is { } e ? status == e : status is >= 200 and < 300;
            Assert.True(exitOk && statusOk, $"{command}: exit {process.ExitCode}, status {status} (expected {expect?.ToString() ?? "2xx"}):\n{await stdout}");
            if (watch)
                Assert.Contains("event: progress", await stdout);
        }
    }

    private static List<(string Line, int? Expect)> CurlLines(string markdown)
    {
        var lines = new List<(string, int?)>();
        var inCode = false;
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }
            if (!inCode || !line.StartsWith("curl ", StringComparison.Ordinal))
                continue;
            var match = ExpectComment().Match(line);
            lines.Add(match.Success ? (line[..match.Index].TrimEnd(), int.Parse(match.Groups[1].Value)) : (line, null));
        }
        return lines;
    }

    /// <summary>A simple reading of the .http format: <c>@var = value</c>, <c>###</c> between requests, a request line,
    /// headers, a blank line, a body; <c>#</c> lines are comments.</summary>
    private static List<Request> Parse(string text, Uri host)
    {
        var variables = new Dictionary<string, string>();
        var requests = new List<Request>();
        foreach (var block in Regex.Split(text.Replace("\r\n", "\n"), "^###", RegexOptions.Multiline))
        {
            var lines = block.Split('\n');
            var title = lines[0].Trim();
            int? expect = null;
            string? method = null, url = null;
            var headers = new List<(string, string)>();
            var body = new StringBuilder();
            var inBody = false;
            foreach (var raw in lines.Skip(1).Prepend(""))
            {
                var line = raw.TrimEnd();
                if (method is null)
                {
                    if (line.StartsWith('@'))
                    {
                        var eq = line.IndexOf('=');
                        var name = line[1..eq].Trim();
                        variables[name] = name == "host" ? host.ToString().TrimEnd('/') : line[(eq + 1)..].Trim();
                    }
                    else if (ExpectComment().Match(line) is { Success: true } m)
                    {
                        expect = int.Parse(m.Groups[1].Value);
                    }
                    else if (line.Length > 0 && !line.StartsWith('#'))
                    {
                        var parts = line.Split(' ', 2);
                        method = parts[0];
                        url = Substitute(parts[1].Trim(), variables);
                    }
                    continue;
                }
                if (!inBody)
                {
                    if (line.Length == 0)
                    {
                        inBody = true;
                        continue;
                    }
                    var colon = line.IndexOf(':');
                    headers.Add((line[..colon].Trim(), Substitute(line[(colon + 1)..].Trim(), variables)));
                    continue;
                }
                body.Append(raw).Append('\n');
            }
            if (method is null || url is null)
                continue;
            var content = body.ToString().TrimEnd('\n');
            requests.Add(new Request(title, method, url, headers, content.Length > 0 ? content : null, expect));
        }
        return requests;
    }

    private static string Substitute(string text, Dictionary<string, string> variables) =>
        Variable().Replace(text, m => variables.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"#\s*expect:\s*(\d{3})")]
    private static partial Regex ExpectComment();
}
