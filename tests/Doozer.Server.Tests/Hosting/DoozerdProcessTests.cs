using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Doozer.Server.Tests.Hosting;

/// <summary>The real doozerd executable: its command line, and a node serving over a real socket.</summary>
public sealed class DoozerdProcessTests
{
    private static readonly string Doozerd = Path.Combine(AppContext.BaseDirectory, "doozerd.dll");

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Doozerd);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    [Fact]
    public async Task Help_lists_the_flags_and_says_the_node_is_in_memory()
    {
        var (code, output, _) = await RunAsync("--help");
        Assert.Equal(0, code);
        foreach (var flag in new[] { "--listen", "--memory", "--history", "--max-value-bytes", "--name", "--secret", "--ro-secret", "--data" })
            Assert.Contains(flag, output);
        Assert.Contains("in memory", output);
    }

    [Fact]
    public async Task Data_is_refused_clearly_until_the_write_ahead_log_exists()
    {
        var (code, _, error) = await RunAsync("--data", "/tmp/doozer-never-created");
        Assert.Equal(2, code);
        Assert.Contains("--data is not supported yet", error);
        Assert.False(Directory.Exists("/tmp/doozer-never-created"));
    }

    [Theory]
    [InlineData("--ro-secret", "r")]
    [InlineData("--history", "0")]
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
        using var node = Start("--listen", $"127.0.0.1:{port}", "--name", "proc");
        var log = new StringBuilder();
        node.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        node.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
