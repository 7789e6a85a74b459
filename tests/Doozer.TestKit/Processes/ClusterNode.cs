using System.Globalization;
using System.Net;
using System.Text;

namespace Doozer.TestKit.Processes;

/// <summary>
/// One node of a <see cref="DoozerCluster"/>: its fixed addresses (kept across restarts), its proxy, its data
/// directory and the process of its current incarnation, if any. Its log collects every incarnation.
/// </summary>
public sealed class ClusterNode
{
    private readonly StringBuilder _log = new();
    private readonly StreamWriter _logFile;
    private readonly long _epoch;
    private bool _killed;

    internal ClusterNode(int number, int port, IPAddress peerAddress, int peerPort, string? dataDirectory, string logPath, long epoch)
    {
        Number = number;
        Name = "n" + number.ToString(CultureInfo.InvariantCulture);
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}");
        PeerAddress = peerAddress;
        PeerPort = peerPort;
        Proxy = new FaultProxy(new IPEndPoint(peerAddress, peerPort));
        DataDirectory = dataDirectory;
        LogPath = logPath;
        _epoch = epoch;
        _logFile = new StreamWriter(logPath, append: true, Encoding.UTF8) { AutoFlush = true };
    }

    /// <summary>1 for the bootstrap node, then 2, 3, ...</summary>
    public int Number { get; }

    /// <summary><c>n1</c>, <c>n2</c>, ... (its <c>--name</c>).</summary>
    public string Name { get; }

    /// <summary>The public API port, the same in every incarnation.</summary>
    public int Port { get; }

    /// <summary>The public API URL.</summary>
    public Uri Url { get; }

    /// <summary>The loopback address the node's peer channel listens on and its outbound peer connections come from.</summary>
    public IPAddress PeerAddress { get; }

    /// <summary>The peer channel's port.</summary>
    public int PeerPort { get; }

    /// <summary>The fault proxy in front of the peer port: every peer's traffic into this node goes through it.</summary>
    public FaultProxy Proxy { get; }

    /// <summary>The data directory (null for an in-memory node).</summary>
    public string? DataDirectory { get; }

    /// <summary>Where the node's log is written, every incarnation appended.</summary>
    public string LogPath { get; }

    /// <summary>The node id of the current (or last) incarnation, from <c>/self</c>.</summary>
    public string? Id { get; internal set; }

    /// <summary>How many times the node was started.</summary>
    public int Incarnation { get; private set; }

    /// <summary>The current process, null while the node is down.</summary>
    public DoozerdProcess? Process { get; private set; }

    /// <summary>Whether a process runs (paused or not).</summary>
    public bool IsRunning => Process is { IsRunning: true };

    /// <summary>Whether the process is stopped with SIGSTOP.</summary>
    public bool IsPaused => Process is { IsPaused: true };

    /// <summary>The process exited though no one killed it: a crash (see <see cref="ExitReport"/>).</summary>
    public bool HasCrashed => Process is { IsRunning: false } && !_killed;

    /// <summary>How the process ended, with the last lines it wrote.</summary>
    public string ExitReport => $"{Name} exited with code {Process?.ExitCode} though it was not killed; its last lines:\n{LogTail(40)}";

    /// <summary>Running and not paused: it can answer.</summary>
    public bool IsUp => IsRunning && !IsPaused;

    /// <summary>Everything every incarnation wrote.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>The last lines of <see cref="Log"/>.</summary>
    public string LogTail(int lines)
    {
        var all = Log.Split('\n');
        return all.Length <= lines ? string.Join('\n', all) : $"... {all.Length - lines} earlier lines in {LogPath}\n" + string.Join('\n', all[^lines..]);
    }

    public override string ToString() => $"{Name}({Id ?? "?"}, {(IsUp ? "up" : IsPaused ? "paused" : "down")})";

    internal DoozerdProcess Launch(IReadOnlyList<string> flags)
    {
        if (IsRunning)
            throw new InvalidOperationException($"{Name} is running already");
        Process?.Dispose();
        _killed = false;
        Incarnation++;
        Write($"=== {Name} incarnation {Incarnation}: doozerd --listen 127.0.0.1:{Port} {string.Join(' ', flags)}");
        var incarnation = Incarnation;
        Process = DoozerdProcess.Launch(new DoozerdLaunch
        {
            Port = Port,
            Flags = flags,
            OnLine = line => Write($"[{Name}#{incarnation}] {line}"),
        });
        return Process;
    }

    internal void Write(string line)
    {
        var stamped = $"{System.Diagnostics.Stopwatch.GetElapsedTime(_epoch).TotalSeconds,8:F3}s {line}";
        lock (_log)
        {
            _log.AppendLine(stamped);
            try
            {
                _logFile.WriteLine(stamped);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    internal void Kill()
    {
        if (Process is null)
            return;
        var wasRunning = Process.IsRunning;
        _killed = true;
        Process.Kill();
        if (wasRunning)
            Write($"=== {Name} killed (SIGKILL)");
    }

    internal void Close()
    {
        Process?.Dispose();
        Proxy.Dispose();
        lock (_log)
            _logFile.Dispose();
    }
}
