using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Doozer.WebView.Tests;

/// <summary>A real doozerd process on a free loopback port, killed on dispose; its log is kept for failure reports.</summary>
public sealed class DoozerNode : IAsyncDisposable
{
    private static readonly string Doozerd = Path.Combine(AppContext.BaseDirectory, "doozerd.dll");
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private DoozerNode(Process process, int port, string? secret)
    {
        _process = process;
        Port = port;
        Secret = secret;
    }

    public int Port { get; }
    public string? Secret { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public static async Task<DoozerNode> StartAsync(string? secret = null, params string[] flags)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Doozerd, "--listen", $"127.0.0.1:{port}", "--peer-listen", $"127.0.0.1:{FreePort()}", "--memory", "--name", "webview" })
            start.ArgumentList.Add(arg);
        foreach (var flag in flags)
            start.ArgumentList.Add(flag);
        if (secret is not null)
        {
            start.ArgumentList.Add("--secret");
            start.ArgumentList.Add(secret);
        }
        var node = new DoozerNode(Process.Start(start)!, port, secret);
        node._process.OutputDataReceived += (_, e) => node.Append(e.Data);
        node._process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        try
        {
            await node.WaitReadyAsync();
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    public void Append(string? line)
    {
        lock (_log) _log.AppendLine(line);
    }

    private async Task WaitReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri(Url) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                break;
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
        throw new InvalidOperationException("doozerd did not become ready:\n" + Log);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }
}
