using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Doozer.TestKit.Processes;

/// <summary>
/// A real doozerd process on a free loopback port, for tests that must not mock the server. It is started from
/// <c>doozerd.dll</c> beside the test assembly (test projects reference src/Doozer.Server), waited for on
/// <c>/readyz</c>, its output captured, and killed on dispose whatever happened. The captured log goes to the
/// sink given (a test's output) on dispose, so a failing test shows what the node said.
/// </summary>
public sealed class DoozerdProcess : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Action<string>? _logSink;
    private int _disposed;

    private DoozerdProcess(Process process, int port, Action<string>? logSink)
    {
        _process = process;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}");
        _logSink = logSink;
    }

    /// <summary>The port the node listens on.</summary>
    public int Port { get; }

    /// <summary>The node's base URL.</summary>
    public Uri Url { get; }

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>What the node wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>The doozerd.dll beside the running test assembly.</summary>
    public static string DefaultExecutable => Path.Combine(AppContext.BaseDirectory, "doozerd.dll");

    /// <summary>Starts a node with extra flags (after <c>--listen</c>) and waits until it is ready.</summary>
    /// <param name="logSink">Receives the node's log on dispose (for example ITestOutputHelper.WriteLine).</param>
    /// <param name="flags">Extra doozerd flags, for example <c>--secret s</c>.</param>
    public static async Task<DoozerdProcess> StartAsync(Action<string>? logSink = null, params string[] flags)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DefaultExecutable);
        start.ArgumentList.Add("--listen");
        start.ArgumentList.Add($"127.0.0.1:{port}");
        foreach (var flag in flags)
            start.ArgumentList.Add(flag);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var node = new DoozerdProcess(process, port, logSink);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>A TCP port nothing listens on right now (and, being closed, one that refuses connections).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills the node at once (its connections drop) and waits for it to exit.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    private async Task WaitReadyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"doozerd exited with {_process.ExitCode} before it was ready:\n{Log}");
            try
            {
                using var response = await http.GetAsync("/readyz");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"doozerd on port {Port} was not ready within {limit}:\n{Log}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Kill();
        _process.Dispose();
        if (_logSink is not null)
        {
            try
            {
                _logSink($"--- doozerd on port {Port} ---\n{Log}");
            }
            catch (InvalidOperationException)
            {
                // The test's output is closed already.
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
