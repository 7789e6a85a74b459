using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Doozer.TestKit.Processes;

namespace Doozer.Server.Tests.Hosting;

/// <summary>The real doozerd executable: its command line, and a node serving over a real socket.</summary>
public sealed class DoozerdProcessTests
{
    private static readonly string Doozerd = DoozerdProcess.DefaultExecutable;

    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => DoozerdProcess.RunToExitAsync(args);

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Doozerd);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    [Fact]
    public async Task Help_lists_the_flags()
    {
        var (code, output, _) = await RunAsync("--help");
        Assert.Equal(0, code);
        foreach (var flag in new[] { "--listen", "--peer-listen", "--peer-advertise", "--memory", "--data", "--attach", "--slots", "--evict-after",
                     "--history", "--snapshot-count", "--max-value-bytes", "--name", "--cluster", "--secret", "--ro-secret", "--peer-secret", "--tls-cert", "--tls-key", "--tls-ca" })
            Assert.Contains(flag, output);
    }

    [Fact]
    public async Task A_durable_node_keeps_its_id_and_data_across_kill_9_and_refuses_a_second_owner_of_its_directory()
    {
        var data = Path.Combine(Path.GetTempPath(), "doozer-proc-" + Guid.NewGuid().ToString("N"));
        try
        {
            var port = FreePort();
            string[] flags = ["--listen", $"127.0.0.1:{port}", "--peer-listen", $"127.0.0.1:{FreePort()}", "--data", data, "--name", "durable"];
            string id;
            using (var node = Start(flags))
            {
                var log = Capture(node);
                try
                {
                    using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                    await WaitReadyAsync(client, log);
                    Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("/tree/kept", new ByteArrayContent("acknowledged"u8.ToArray()))).StatusCode);
                    id = (await client.GetFromJsonAsync<JsonElement>("/self")).GetProperty("id").GetString()!;

                    // The directory is locked while its node runs: a second doozerd on it stops at once, clearly.
                    var (code, _, error) = await RunAsync("--listen", $"127.0.0.1:{FreePort()}", "--peer-listen", $"127.0.0.1:{FreePort()}", "--data", data);
                    Assert.Equal(2, code);
                    Assert.Contains("in use", error);
                }
                finally
                {
                    node.Kill(entireProcessTree: true);
                    await node.WaitForExitAsync();
                }
            }
            using (var node = Start(flags))
            {
                var log = Capture(node);
                try
                {
                    using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                    await WaitReadyAsync(client, log);
                    Assert.Equal("acknowledged", await client.GetStringAsync("/tree/kept"));
                    Assert.Equal(id, (await client.GetFromJsonAsync<JsonElement>("/self")).GetProperty("id").GetString());
                }
                finally
                {
                    node.Kill(entireProcessTree: true);
                    await node.WaitForExitAsync();
                }
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static StringBuilder Capture(Process node)
    {
        var log = new StringBuilder();
        node.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        node.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        return log;
    }

    [Theory]
    [InlineData("--ro-secret", "r")]
    [InlineData("--history", "0")]
    [InlineData("--snapshot-count", "0")]
    [InlineData("--listen", "nowhere")]
    [InlineData("--history", "many")]
    [InlineData("--no-such-flag-value=1", "--history")]
    [InlineData("--listne", "127.0.0.1:1")]
    [InlineData("--bogus", "--memory")]
    public async Task Bad_flags_exit_with_an_error(string flag, string value)
    {
        var (code, output, error) = await RunAsync(flag, value);
        Assert.NotEqual(0, code);
        Assert.False(string.IsNullOrWhiteSpace(output + error));
    }

    [Fact]
    public async Task A_node_serves_the_api_over_a_real_socket()
    {
        var port = FreePort();
        using var node = Start("--listen", $"127.0.0.1:{port}", "--peer-listen", $"127.0.0.1:{FreePort()}", "--memory", "--name", "proc");
        var log = Capture(node);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitReadyAsync(client, log);
            var put = await client.PutAsync("/tree/message", new ByteArrayContent("hello, world"u8.ToArray()));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal("hello, world", await client.GetStringAsync("/tree/message"));
            Assert.Contains("proc", await client.GetStringAsync("/self"));
        }
        finally
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Nodes_on_port_0_register_the_ports_they_bound_and_form_a_cluster_through_them()
    {
        using var first = Start("--listen", "127.0.0.1:0", "--peer-listen", "127.0.0.1:0", "--memory", "--name", "zero1");
        var firstLog = Capture(first);
        try
        {
            var (url, peerUrl) = await BoundUrlsAsync(firstLog);
            using var client = new HttpClient { BaseAddress = url };
            await WaitReadyAsync(client, firstLog);
            var id = (await client.GetFromJsonAsync<JsonElement>("/self")).GetProperty("id").GetString();
            Assert.Equal(url.ToString().TrimEnd('/'), await client.GetStringAsync($"/tree/ctl/node/{id}/url"));
            Assert.Equal(peerUrl.ToString().TrimEnd('/'), await client.GetStringAsync($"/tree/ctl/node/{id}/peerUrl"));

            // A second node on port 0 joins through the first: its registered peer URL is one the first can dial.
            using var joining = Start("--listen", "127.0.0.1:0", "--peer-listen", "127.0.0.1:0", "--memory", "--name", "zero2", "--attach", url.ToString());
            var joiningLog = Capture(joining);
            try
            {
                var (joiningUrl, joiningPeerUrl) = await BoundUrlsAsync(joiningLog);
                var deadline = DateTime.UtcNow.AddSeconds(30);
                JsonElement cluster;
                do
                {
                    await Task.Delay(200);
                    cluster = await client.GetFromJsonAsync<JsonElement>("/cluster");
                }
                while (cluster.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("role").GetString() == "voter") < 2 && DateTime.UtcNow < deadline);
                var joined = Assert.Single(cluster.GetProperty("members").EnumerateArray(), m => m.GetProperty("name").GetString() == "zero2");
                Assert.Equal("voter", joined.GetProperty("role").GetString());
                Assert.Equal(joiningUrl.ToString().TrimEnd('/'), joined.GetProperty("url").GetString());
                Assert.Equal(joiningPeerUrl.ToString().TrimEnd('/'), joined.GetProperty("peerUrl").GetString());
            }
            finally
            {
                joining.Kill(entireProcessTree: true);
                await joining.WaitForExitAsync();
            }
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Advertised_urls_win_over_the_bound_ports()
    {
        using var node = Start("--listen", "127.0.0.1:0", "--peer-listen", "127.0.0.1:0", "--memory",
            "--advertise", "http://doozer.example:8046", "--peer-advertise", "http://doozer.example:8047");
        var log = Capture(node);
        try
        {
            var (url, _) = await BoundUrlsAsync(log);
            using var client = new HttpClient { BaseAddress = url };
            await WaitReadyAsync(client, log);
            var id = (await client.GetFromJsonAsync<JsonElement>("/self")).GetProperty("id").GetString();
            Assert.Equal("http://doozer.example:8046", await client.GetStringAsync($"/tree/ctl/node/{id}/url"));
            Assert.Equal("http://doozer.example:8047", await client.GetStringAsync($"/tree/ctl/node/{id}/peerUrl"));
        }
        finally
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
        }
    }

    /// <summary>
    /// The client and peer URLs of a node started on port 0, from the server's "Now listening on" lines: the client
    /// listener is the one that answers /livez over HTTP/1.1 (the peer listener speaks HTTP/2 only).
    /// </summary>
    private static async Task<(Uri Url, Uri PeerUrl)> BoundUrlsAsync(StringBuilder log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            string text;
            lock (log)
                text = log.ToString();
            var urls = System.Text.RegularExpressions.Regex.Matches(text, @"Now listening on: (\S+)").Select(m => new Uri(m.Groups[1].Value)).ToList();
            if (urls.Count == 2)
            {
                Assert.All(urls, u => Assert.NotEqual(0, u.Port));
                using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                var clientListener = await AnswersLivezAsync(probe, urls[0]) ? 0 : 1;
                return (urls[clientListener], urls[1 - clientListener]);
            }
            await Task.Delay(100);
        }
        lock (log)
            Assert.Fail("doozerd did not say where it listens:\n" + log);
        throw new UnreachableException();
    }

    private static async Task<bool> AnswersLivezAsync(HttpClient client, Uri url)
    {
        try
        {
            return (await client.GetAsync(new Uri(url, "/livez"))).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task WaitReadyAsync(HttpClient client, StringBuilder log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await client.GetAsync("/readyz")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        lock (log)
            Assert.Fail("doozerd did not become ready:\n" + log);
    }

    private static int FreePort() => DoozerdProcess.FreePort();
}
