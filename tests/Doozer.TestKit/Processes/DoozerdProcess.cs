using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Doozer.TestKit.Processes;

/// <summary>How to launch one doozerd process (see <see cref="DoozerdProcess.Launch"/>).</summary>
public sealed record DoozerdLaunch
{
    /// <summary>The address of <c>--listen</c>.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The port of <c>--listen</c>; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Flags after <c>--listen</c>.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>Receives the node's whole log on dispose (for example ITestOutputHelper.WriteLine).</summary>
    public Action<string>? LogSink { get; init; }

    /// <summary>Receives every line the node writes, as it writes it (stdout and stderr).</summary>
    public Action<string>? OnLine { get; init; }

    /// <summary>The doozerd.dll to run.</summary>
    public string Executable { get; init; } = DoozerdProcess.DefaultExecutable;

    /// <summary>
    /// For a node given <c>--tls-cert</c> in <see cref="Flags"/>: how to reach it over https (a handler that trusts its
    /// authority). Null: the node speaks plain http.
    /// </summary>
    public Func<HttpMessageHandler>? HttpsHandler { get; init; }
}

/// <summary>
/// A real doozerd process on a free loopback port, for tests that must not mock the server. It is started from
/// <c>doozerd.dll</c> beside the test assembly (test projects reference src/Doozer.Server), waited for on
/// <c>/readyz</c>, its output captured, and killed on dispose whatever happened. The captured log goes to the
/// sink given (a test's output) on dispose, so a failing test shows what the node said.
/// </summary>
/// <remarks>
/// A small watchdog shell process goes with every node: if the test process dies without disposing (a crash, a hang
/// killed by <c>--blame-hang-timeout</c>), it kills the node within a second, so no doozerd outlives its test run.
/// </remarks>
public sealed class DoozerdProcess : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private readonly Process? _watchdog;
    private readonly StringBuilder _log = new();
    private readonly Action<string>? _logSink;
    private readonly Action<string>? _onLine;
    private readonly Func<HttpMessageHandler>? _httpsHandler;
    private int _disposed;

    private DoozerdProcess(Process process, Process? watchdog, IPAddress address, int port, DoozerdLaunch launch)
    {
        _process = process;
        _watchdog = watchdog;
        Port = port;
        Url = new Uri($"{(launch.HttpsHandler is null ? "http" : "https")}://{address}:{port}");
        _httpsHandler = launch.HttpsHandler;
        _logSink = launch.LogSink;
        _onLine = launch.OnLine;
    }

    /// <summary>The port the node listens on.</summary>
    public int Port { get; }

    /// <summary>The node's base URL.</summary>
    public Uri Url { get; }

    /// <summary>The process id (of the dotnet host, which runs the node itself).</summary>
    public int Pid => _process.Id;

    /// <summary>Whether the process is still running (a paused one is).</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Whether the process is stopped by <see cref="Pause"/>.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>The exit code, once the process has exited.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

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

    /// <summary>
    /// Runs doozerd with exactly <paramref name="args"/> until it exits (killed after 30 s): for command-line checks
    /// such as usage errors and --help.
    /// </summary>
    public static async Task<(int Code, string Out, string Err)> RunToExitAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(DefaultExecutable);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
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

    /// <summary>Starts a node with extra flags (after <c>--listen</c>) and waits until it is ready.</summary>
    /// <param name="logSink">Receives the node's log on dispose (for example ITestOutputHelper.WriteLine).</param>
    /// <param name="flags">Extra doozerd flags, for example <c>--secret s</c>.</param>
    public static Task<DoozerdProcess> StartAsync(Action<string>? logSink = null, params string[] flags) =>
        StartAsync(new DoozerdLaunch { LogSink = logSink, Flags = flags });

    /// <summary>Starts a node and waits until it is ready (<c>/readyz</c>); kills it if it never is.</summary>
    public static async Task<DoozerdProcess> StartAsync(DoozerdLaunch launch, TimeSpan? readyWithin = null)
    {
        var node = Launch(launch);
        try
        {
            await node.WaitReadyAsync(readyWithin ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>Starts a node and returns at once, without waiting for it to be ready.</summary>
    public static DoozerdProcess Launch(DoozerdLaunch launch)
    {
        var port = launch.Port != 0 ? launch.Port : FreePort(launch.ListenAddress);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(launch.Executable);
        start.ArgumentList.Add("--listen");
        start.ArgumentList.Add($"{launch.ListenAddress}:{port}");
        foreach (var flag in launch.Flags)
            start.ArgumentList.Add(flag);
        // A lone test node: in memory unless told otherwise (the default ./doozer-data would be shared by every
        // node the test run starts), and a free peer port (the default 8047 would be too).
        if (!launch.Flags.Contains("--data") && !launch.Flags.Contains("--memory"))
            start.ArgumentList.Add("--memory");
        if (!launch.Flags.Contains("--peer-listen"))
        {
            start.ArgumentList.Add("--peer-listen");
            start.ArgumentList.Add($"{launch.ListenAddress}:{FreePort(launch.ListenAddress)}");
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var node = new DoozerdProcess(process, StartWatchdog(process.Id), launch.ListenAddress, port, launch);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>A TCP port nothing listens on right now (and, being closed, one that refuses connections).</summary>
    public static int FreePort() => FreePort(IPAddress.Loopback);

    /// <summary>
    /// A TCP port of <paramref name="address"/> nothing listens on right now, and never handed out before by this
    /// process: the kernel may offer a port again as soon as its probe socket is closed, and a cluster picks all its
    /// ports before any node binds one (two nodes were once given the same port: "Address already in use").
    /// </summary>
    public static int FreePort(IPAddress address)
    {
        while (true)
        {
            using var listener = new TcpListener(address, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                    return port;
            }
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>Waits until <c>/readyz</c> answers 200; throws if the process exits first or the time runs out.</summary>
    public Task WaitReadyAsync(TimeSpan limit, CancellationToken cancellationToken = default) =>
        WaitForAsync("/readyz", limit, cancellationToken);

    /// <summary>Waits until <c>/livez</c> answers 200 (the process serves HTTP, with or without a leader).</summary>
    public Task WaitLiveAsync(TimeSpan limit, CancellationToken cancellationToken = default) =>
        WaitForAsync("/livez", limit, cancellationToken);

    /// <summary>Kills the node at once with SIGKILL (its connections drop) and waits for it to exit.</summary>
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
        IsPaused = false;
    }

    /// <summary>Stops the process with SIGSTOP: it keeps its sockets but does nothing until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        Signal("STOP");
        IsPaused = true;
    }

    /// <summary>Continues a paused process with SIGCONT.</summary>
    public void Resume()
    {
        Signal("CONT");
        IsPaused = false;
    }

    private void Signal(string signal)
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"doozerd on port {Port} has exited; cannot send SIG{signal}");
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, Pid.ToString(CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("kill did not start");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
            throw new InvalidOperationException($"kill -{signal} {Pid} exited with {kill.ExitCode}");
    }

    private static Process? StartWatchdog(int child)
    {
        // Kills the node once this test process is gone; ends by itself once the node is.
        var parent = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var pid = child.ToString(CultureInfo.InvariantCulture);
        var script = $"while kill -0 {parent} 2>/dev/null && kill -0 {pid} 2>/dev/null; do sleep 1; done; kill -9 {pid} 2>/dev/null";
        try
        {
            return Process.Start(new ProcessStartInfo("sh") { ArgumentList = { "-c", script }, UseShellExecute = false });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
        _onLine?.Invoke(line);
    }

    private async Task WaitForAsync(string route, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(_httpsHandler?.Invoke() ?? new SocketsHttpHandler()) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"doozerd on port {Port} exited with {_process.ExitCode} before {route} answered 200:\n{Log}");
            try
            {
                using var response = await http.GetAsync(route, cancellationToken);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"doozerd on port {Port}: {route} did not answer 200 within {limit}:\n{Log}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Kill();
        _process.Dispose();
        if (_watchdog is not null)
        {
            try
            {
                if (!_watchdog.HasExited)
                    _watchdog.Kill();
            }
            catch (InvalidOperationException)
            {
            }
            _watchdog.Dispose();
        }
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
