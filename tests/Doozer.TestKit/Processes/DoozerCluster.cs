using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Doozer.TestKit.Processes;

/// <summary>What cluster <see cref="DoozerCluster.StartAsync"/> builds.</summary>
public sealed record DoozerClusterOptions
{
    /// <summary>Nodes that become voters (the first bootstraps, the others attach and claim a slot).</summary>
    public int Voters { get; init; } = 3;

    /// <summary>Nodes started after the voters, that find no vacant slot and stay learners.</summary>
    public int Learners { get; init; }

    /// <summary><c>--slots</c> of the bootstrap node; default <see cref="Voters"/>.</summary>
    public int? Slots { get; init; }

    /// <summary>Durable nodes (<c>--data</c> in a temporary directory); false: <c>--memory</c>.</summary>
    public bool Durable { get; init; } = true;

    /// <summary><c>--evict-after</c> seconds; null leaves the server's default.</summary>
    public int? EvictAfterSeconds { get; init; }

    /// <summary>More flags for every node.</summary>
    public IReadOnlyList<string> ExtraFlags { get; init; } = [];

    /// <summary>How long starting the cluster, a restart, or waiting for health may take.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Where node logs go when the cluster is disposed after <see cref="DoozerCluster.MarkFailed"/>.</summary>
    public Action<string>? Output { get; init; }

    /// <summary>Lines of each node's log printed on failure (the whole log stays in its file).</summary>
    public int LogTailLines { get; init; } = 300;
}

/// <summary>
/// A real multi-node doozerd cluster on loopback (TESTING.md tier 4). Node i listens for the API on a free port of
/// 127.0.0.1 and for peers on a free port of its own loopback address 127.a.b.(10+i) (a, b random per cluster), from
/// which its outbound peer connections also come; its <see cref="FaultProxy"/> is advertised as its peer URL, so every
/// byte any peer sends it passes the proxy, which knows the sender by its address. n1 bootstraps; the others attach to
/// n1 one by one; the start returns once every node shows the requested voters and learners and one leader.
/// </summary>
/// <remarks>
/// Faults: <see cref="Kill"/> (SIGKILL), <see cref="Pause"/>/<see cref="Resume"/> (SIGSTOP/SIGCONT),
/// <see cref="RestartAsync"/> (same ports and data), <see cref="KillAll"/>/<see cref="RestartAllAsync"/>, and network
/// faults through the proxies (<see cref="Isolate"/>, <see cref="Block"/>, <see cref="Delay"/>, <see cref="Heal"/>).
/// Disposing kills every process, always. Logs are kept in files under <see cref="Directory"/> and printed to
/// <see cref="DoozerClusterOptions.Output"/> when the test called <see cref="MarkFailed"/>.
/// </remarks>
public sealed class DoozerCluster : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly DoozerClusterOptions _options;
    private readonly List<ClusterNode> _nodes = [];
    private readonly StringBuilder _events = new();
    private readonly long _epoch = Stopwatch.GetTimestamp();
    private int _disposed;

    private DoozerCluster(DoozerClusterOptions options)
    {
        _options = options;
        Directory = Path.Combine(Path.GetTempPath(), "doozer-cluster-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(Directory);
        // 127.a.b.0/24 of our own, so two clusters in one machine never share a source address.
        var subnet = Random.Shared.Next(1, 255);
        var subnet2 = Random.Shared.Next(1, 255);
        for (var number = 1; number <= options.Voters + options.Learners; number++)
        {
            var peerAddress = IPAddress.Parse($"127.{subnet}.{subnet2}.{10 + number}");
            string? data = null;
            if (options.Durable)
            {
                data = Path.Combine(Directory, $"n{number}-data");
            }
            _nodes.Add(new ClusterNode(
                number,
                DoozerdProcess.FreePort(),
                peerAddress,
                DoozerdProcess.FreePort(peerAddress),
                data,
                Path.Combine(Directory, $"n{number}.log"),
                _epoch));
        }
    }

    /// <summary>
    /// The Stopwatch timestamp that is 0.000 s in the fault log and the node logs: an operation recorded at timestamp
    /// T happened at <see cref="SecondsAt"/>(T) on that clock.
    /// </summary>
    public long Epoch => _epoch;

    /// <summary>A Stopwatch timestamp (such as a recorded operation's call or return) in seconds of the logs' clock.</summary>
    public double SecondsAt(long timestamp) => (double)(timestamp - _epoch) / Stopwatch.Frequency;

    /// <summary>The temporary directory holding data directories and logs.</summary>
    public string Directory { get; }

    /// <summary>Every node, n1 first.</summary>
    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    /// <summary>Nodes that are running and not paused.</summary>
    public IReadOnlyList<ClusterNode> UpNodes => [.. _nodes.Where(n => n.IsUp)];

    /// <summary>Nodes whose process exited though the test did not kill it.</summary>
    public IReadOnlyList<ClusterNode> Crashed => [.. _nodes.Where(n => n.HasCrashed)];

    /// <summary>Throws if a node crashed: waiting for it would only time out.</summary>
    public void ThrowIfCrashed()
    {
        if (Crashed is [var first, ..])
            throw new InvalidOperationException(first.ExitReport);
    }

    /// <summary>Whether the test failed: the logs are printed and kept on dispose.</summary>
    public bool Failed { get; private set; }

    /// <summary>The fault log: what the test did to the cluster, and when.</summary>
    public string Events
    {
        get
        {
            lock (_events)
                return _events.ToString();
        }
    }

    /// <summary>Starts the cluster and waits until it is whole: every node up, the voters and learners asked for, one leader.</summary>
    public static async Task<DoozerCluster> StartAsync(DoozerClusterOptions? options = null)
    {
        options ??= new DoozerClusterOptions();
        if (options.Voters < 1 || options.Learners < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "at least one voter");
        var cluster = new DoozerCluster(options);
        try
        {
            var first = cluster._nodes[0];
            await cluster.LaunchAsync(first, cluster.FlagsOf(first), waitReady: true);
            for (var i = 1; i < cluster._nodes.Count; i++)
            {
                var node = cluster._nodes[i];
                await cluster.LaunchAsync(node, cluster.FlagsOf(node), waitReady: true);
                // One voter at a time, so that n1..nV take the slots and the later nodes stay learners.
                var voters = Math.Min(i + 1, options.Voters);
                var learners = Math.Max(0, i + 1 - options.Voters);
                await cluster.WaitMembershipAsync(voters, learners, cluster._nodes.Take(i + 1).ToList(), options.StartTimeout);
            }
            await cluster.WaitHealthyAsync();
            cluster.Note($"cluster up: {string.Join(", ", cluster._nodes)}");
        }
        catch
        {
            cluster.MarkFailed();
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Records that the test failed: on dispose the logs are printed to the output and kept on disk.</summary>
    public void MarkFailed() => Failed = true;

    /// <summary>Adds a line to the fault log (and to every node's log, to line them up).</summary>
    public void Note(string what)
    {
        var line = $"{Stopwatch.GetElapsedTime(_epoch).TotalSeconds,8:F3}s {what}";
        lock (_events)
            _events.AppendLine(line);
        foreach (var node in _nodes)
            node.Write("### " + what);
    }

    /// <summary>A node's <c>/cluster</c>, or null if it does not answer within two seconds.</summary>
    public static async Task<ClusterStatus?> StatusAsync(ClusterNode node, CancellationToken cancellationToken = default)
    {
        if (!node.IsUp)
            return null;
        try
        {
            return await Http.GetFromJsonAsync<ClusterStatus>(new Uri(node.Url, "/cluster"), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until the nodes given (default: every node that is up) agree on one leader that is itself up and says it
    /// leads, and returns it.
    /// </summary>
    public async Task<ClusterNode> LeaderAsync(TimeSpan? within = null, IReadOnlyList<ClusterNode>? among = null)
    {
        var limit = within ?? _options.StartTimeout;
        var clock = Stopwatch.StartNew();
        var last = "";
        while (true)
        {
            var nodes = among ?? UpNodes;
            var statuses = await Task.WhenAll(nodes.Select(n => StatusAsync(n)));
            var leaders = statuses.Select(s => s?.Leader).Distinct().ToList();
            if (leaders is [{ } leaderId])
            {
                var leader = _nodes.FirstOrDefault(n => n.IsUp && n.Id == leaderId);
                if (leader is not null && (await StatusAsync(leader))?.Leader == leaderId)
                    return leader;
            }
            last = string.Join("; ", nodes.Zip(statuses, (n, s) => $"{n.Name}: {s?.ToString() ?? "no answer"}"));
            ThrowIfCrashed();
            if (clock.Elapsed > limit)
                throw new TimeoutException($"no agreed leader within {limit}: {last}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until every node that is up shows the configured voters and learners and the same leader.</summary>
    public async Task WaitHealthyAsync(TimeSpan? within = null)
    {
        await WaitMembershipAsync(_options.Voters, _options.Learners, UpNodes, within ?? _options.StartTimeout);
        await LeaderAsync(within);
    }

    /// <summary>Waits until each node given shows exactly these voters and learners, and some leader.</summary>
    public async Task WaitMembershipAsync(int voters, int learners, IReadOnlyList<ClusterNode> nodes, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var statuses = await Task.WhenAll(nodes.Select(n => StatusAsync(n)));
            if (statuses.All(s => s is not null && s.Leader is not null && s.Voters == voters && s.Learners == learners))
                return;
            ThrowIfCrashed();
            if (clock.Elapsed > within)
            {
                var seen = string.Join("; ", nodes.Zip(statuses, (n, s) => $"{n.Name}: {s?.ToString() ?? "no answer"}"));
                throw new TimeoutException($"expected {voters} voters and {learners} learners with a leader within {within}; saw {seen}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>A node that is up and is not the leader.</summary>
    public async Task<ClusterNode> FollowerAsync()
    {
        var leader = await LeaderAsync();
        return UpNodes.First(n => n != leader);
    }

    /// <summary>Kills the node's process with SIGKILL.</summary>
    public void Kill(ClusterNode node)
    {
        Note($"kill -9 {node}");
        node.Kill();
    }

    /// <summary>Kills every node at once, with SIGKILL.</summary>
    public void KillAll()
    {
        Note("kill -9 every node");
        Parallel.ForEach(_nodes, n => n.Kill());
    }

    /// <summary>SIGSTOP: the node keeps its sockets open and says nothing.</summary>
    public void Pause(ClusterNode node)
    {
        Note($"SIGSTOP {node}");
        (node.Process ?? throw new InvalidOperationException($"{node.Name} is not running")).Pause();
    }

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume(ClusterNode node)
    {
        Note($"SIGCONT {node.Name}");
        (node.Process ?? throw new InvalidOperationException($"{node.Name} is not running")).Resume();
    }

    /// <summary>
    /// Starts a stopped node again on its ports. A durable node keeps its data directory (and so its id); an
    /// in-memory node comes back as a new node attached to one that is up. Waits until it is ready.
    /// </summary>
    public async Task RestartAsync(ClusterNode node)
    {
        Note($"restart {node.Name}");
        await LaunchAsync(node, FlagsOf(node, restart: true), waitReady: true);
    }

    /// <summary>Starts every stopped node at once (a majority must be up before any can be ready), then waits for health.</summary>
    public async Task RestartAllAsync()
    {
        Note("restart every node");
        var down = _nodes.Where(n => !n.IsRunning).ToList();
        if (_options.Durable)
        {
            await Task.WhenAll(down.Select(n => LaunchAsync(n, FlagsOf(n, restart: true), waitReady: true)));
        }
        else
        {
            // New nodes: the first bootstraps (if none is up), the others attach, one at a time.
            foreach (var node in down)
                await LaunchAsync(node, FlagsOf(node, restart: true), waitReady: true);
        }
        await WaitHealthyAsync();
    }

    /// <summary>
    /// Cuts the node off from every other node: its proxy applies <paramref name="mode"/> to every source and every
    /// other proxy to the node's address. Blackhole (default) is a silent partition; Cut resets and refuses.
    /// </summary>
    public void Isolate(ClusterNode node, FaultMode mode = FaultMode.Blackhole)
    {
        Note($"isolate {node} ({mode})");
        node.Proxy.Set(null, new FaultRule(mode, TimeSpan.Zero));
        foreach (var other in _nodes.Where(n => n != node))
            other.Proxy.Set(node.PeerAddress, new FaultRule(mode, TimeSpan.Zero));
    }

    /// <summary>
    /// One-way fault: what <paramref name="from"/> sends to <paramref name="to"/> on the connections it opens is held
    /// (blackhole) or refused (cut); <paramref name="to"/>'s own connections to <paramref name="from"/> are untouched.
    /// </summary>
    public void Block(ClusterNode from, ClusterNode to, FaultMode mode = FaultMode.Blackhole)
    {
        Note($"block {from.Name} -> {to.Name} ({mode})");
        to.Proxy.Set(from.PeerAddress, new FaultRule(mode, TimeSpan.Zero));
    }

    /// <summary>Delays every peer byte into <paramref name="node"/> (null: into every node) by <paramref name="delay"/>.</summary>
    public void Delay(TimeSpan delay, ClusterNode? node = null)
    {
        Note($"delay {delay.TotalMilliseconds} ms into {node?.Name ?? "every node"}");
        foreach (var target in node is null ? _nodes : [node])
            target.Proxy.Delay(delay);
    }

    /// <summary>Removes every network fault.</summary>
    public void Heal()
    {
        Note("heal the network");
        foreach (var node in _nodes)
            node.Proxy.HealAll();
    }

    /// <summary>Every node's log tail and the fault log, for a failed test's output.</summary>
    public string Report(int? tailLines = null)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"=== cluster in {Directory}; fault log:").Append(Events);
        foreach (var node in _nodes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"=== {node.Name} log ({node.LogPath}):");
            text.AppendLine(node.LogTail(tailLines ?? _options.LogTailLines));
        }
        return text.ToString();
    }

    private List<string> FlagsOf(ClusterNode node, bool restart = false)
    {
        var flags = new List<string>
        {
            "--name", node.Name,
            "--peer-listen", $"{node.PeerAddress}:{node.PeerPort}",
            "--peer-advertise", node.Proxy.Url.ToString().TrimEnd('/'),
        };
        if (node.DataDirectory is { } data)
            flags.AddRange(["--data", data]);
        else
            flags.Add("--memory");
        if (_options.EvictAfterSeconds is { } evict)
            flags.AddRange(["--evict-after", evict.ToString(CultureInfo.InvariantCulture)]);
        // A durable node starts as it did the first time (its data says which cluster it is in). An in-memory node
        // that restarts is a new node: it attaches to one that is up, or bootstraps a new cluster if none is.
        var attachTo = node.Number == 1 ? null : _nodes[0];
        if (restart && node.DataDirectory is null)
            attachTo = _nodes.FirstOrDefault(n => n != node && n.IsUp);
        if (attachTo is null)
            flags.AddRange(["--slots", (_options.Slots ?? _options.Voters).ToString(CultureInfo.InvariantCulture)]);
        else
            flags.AddRange(["--attach", attachTo.Url.ToString().TrimEnd('/')]);
        flags.AddRange(_options.ExtraFlags);
        return flags;
    }

    private async Task LaunchAsync(ClusterNode node, IReadOnlyList<string> flags, bool waitReady)
    {
        var process = node.Launch(flags);
        if (!waitReady)
            return;
        await process.WaitReadyAsync(_options.StartTimeout);
        using var self = await Http.GetAsync(new Uri(node.Url, "/self"));
        self.EnsureSuccessStatusCode();
        var id = (await self.Content.ReadFromJsonAsync<SelfAnswer>())?.Id;
        if (node.Id is not null && node.Id != id)
            node.Write($"=== {node.Name} has a new id {id} (was {node.Id})");
        node.Id = id;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // SIGKILL works on stopped processes too; every process goes, whatever happened.
        foreach (var node in _nodes)
        {
            try
            {
                node.Kill();
            }
            catch (Exception e)
            {
                node.Write("=== kill failed: " + e.Message);
            }
        }
        if (Failed && _options.Output is { } output)
        {
            try
            {
                output(Report());
            }
            catch (InvalidOperationException)
            {
                // The test's output is closed already.
            }
        }
        foreach (var node in _nodes)
            node.Close();
        await Task.Yield();
        try
        {
            if (Failed)
            {
                // Keep the logs for a look; the data directories can be large.
                foreach (var node in _nodes.Where(n => n.DataDirectory is not null && System.IO.Directory.Exists(n.DataDirectory)))
                    System.IO.Directory.Delete(node.DataDirectory!, recursive: true);
            }
            else
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    private sealed record SelfAnswer(string Id, string? Name);
}
