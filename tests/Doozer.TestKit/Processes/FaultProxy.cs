using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Doozer.TestKit.Processes;

/// <summary>What a <see cref="FaultProxy"/> does to the connections of one source address.</summary>
public enum FaultMode
{
    /// <summary>Forward (after the rule's delay, if any).</summary>
    Pass,

    /// <summary>
    /// Keep every connection open and accept new ones, but forward no byte in either direction: a real partition as
    /// TCP sees it (nothing arrives, nothing fails, keep-alive pings time out). Bytes already read are held, not
    /// dropped, and flow again in order after a heal, as retransmitted segments would; at most a bounded amount is
    /// read ahead, then the sender's socket buffers fill.
    /// </summary>
    Blackhole,

    /// <summary>Reset every connection at once and every new one as soon as it is accepted.</summary>
    Cut,
}

/// <summary>One rule: a mode and a delay added to every chunk, in each direction.</summary>
public readonly record struct FaultRule(FaultMode Mode, TimeSpan Delay)
{
    public static FaultRule None { get; } = new(FaultMode.Pass, TimeSpan.Zero);

    /// <summary>The stricter of two rules: the more severe mode and the longer delay.</summary>
    public static FaultRule Combine(FaultRule a, FaultRule b) =>
        new((FaultMode)Math.Max((int)a.Mode, (int)b.Mode), a.Delay > b.Delay ? a.Delay : b.Delay);
}

/// <summary>
/// A TCP proxy in front of one node's peer port that injects network faults per <b>source address</b> of the incoming
/// connection. Cluster nodes bind their outbound peer connections to their own loopback IP, so the source address names
/// the node a connection comes from; a rule for <c>null</c> applies to every source. A connection's effective rule is
/// the stricter of its source's rule and the every-source rule, re-evaluated for every chunk, so a new rule applies to
/// open connections at once.
/// </summary>
/// <remarks>
/// Partitions in a cluster are made of these: to isolate node i, its own proxy blackholes every source and every other
/// proxy blackholes node i's address; a one-way fault is one proxy blocking one source. Delays are applied per chunk
/// in each direction (a connection's round trip grows by twice the delay) and keep the byte order.
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable, IDisposable
{
    private const int ChunkSize = 16 * 1024;
    private const int ChunksAhead = 16;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, FaultRule> _rules = [];
    private readonly HashSet<Connection> _open = [];
    private FaultRule _everySource = FaultRule.None;
    private TaskCompletionSource _changed = NewSignal();
    private long _accepted;
    private long _refused;
    private long _bytes;
    private int _disposed;

    /// <summary>Starts a proxy on a free port of <paramref name="listenAddress"/> (default 127.0.0.1).</summary>
    /// <param name="target">Where to forward: the node's peer endpoint.</param>
    /// <param name="listenAddress">The address to listen on.</param>
    public FaultProxy(IPEndPoint target, IPAddress? listenAddress = null)
    {
        Target = target;
        _listener = new TcpListener(listenAddress ?? IPAddress.Loopback, 0);
        _listener.Start(512);
        var local = (IPEndPoint)_listener.LocalEndpoint;
        Port = local.Port;
        Url = new Uri($"http://{local.Address}:{Port}");
        _ = AcceptLoopAsync();
    }

    /// <summary>Where connections are forwarded.</summary>
    public IPEndPoint Target { get; }

    /// <summary>The proxy's port.</summary>
    public int Port { get; }

    /// <summary>The proxy's base URL, to advertise in place of the node's own peer URL.</summary>
    public Uri Url { get; }

    /// <summary>Connections accepted so far (including refused ones).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections reset at once because their source was cut.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Bytes forwarded so far, both directions.</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytes);

    /// <summary>Connections open right now.</summary>
    public int OpenConnections
    {
        get
        {
            lock (_gate)
                return _open.Count;
        }
    }

    /// <summary>The source addresses of the connections open right now.</summary>
    public IReadOnlyList<IPAddress> OpenSources
    {
        get
        {
            lock (_gate)
                return [.. _open.Select(c => c.Source)];
        }
    }

    /// <summary>Resets every open connection of the source (null: of every source) and refuses its new ones.</summary>
    public void Cut(IPAddress? source = null) => Set(source, new FaultRule(FaultMode.Cut, RuleOf(source).Delay));

    /// <summary>Stops forwarding for the source (null: every source) without closing anything.</summary>
    public void Blackhole(IPAddress? source = null) => Set(source, new FaultRule(FaultMode.Blackhole, RuleOf(source).Delay));

    /// <summary>Delays every chunk of the source (null: of every source) by <paramref name="delay"/> in each direction.</summary>
    public void Delay(TimeSpan delay, IPAddress? source = null) => Set(source, RuleOf(source) with { Delay = delay });

    /// <summary>Removes the rule of one source (null: the every-source rule).</summary>
    public void Heal(IPAddress? source = null) => Set(source, FaultRule.None);

    /// <summary>Removes every rule.</summary>
    public void HealAll()
    {
        lock (_gate)
        {
            _rules.Clear();
            _everySource = FaultRule.None;
        }
        Signal();
    }

    /// <summary>The rule set for one source (null: the every-source rule), not combined.</summary>
    public FaultRule RuleOf(IPAddress? source)
    {
        lock (_gate)
            return source is null ? _everySource : _rules.GetValueOrDefault(source, FaultRule.None);
    }

    /// <summary>Sets the rule of one source (null: of every source).</summary>
    public void Set(IPAddress? source, FaultRule rule)
    {
        List<Connection> toCut = [];
        lock (_gate)
        {
            if (source is null)
                _everySource = rule;
            else if (rule == FaultRule.None)
                _rules.Remove(Normalize(source));
            else
                _rules[Normalize(source)] = rule;
            foreach (var connection in _open)
            {
                if (EffectiveLocked(connection.Source).Mode == FaultMode.Cut)
                    toCut.Add(connection);
            }
            foreach (var connection in toCut)
                _open.Remove(connection);
        }
        foreach (var connection in toCut)
            connection.Reset();
        Signal();
    }

    /// <summary>The rule that applies to a connection from <paramref name="source"/>.</summary>
    public FaultRule Effective(IPAddress source)
    {
        lock (_gate)
            return EffectiveLocked(Normalize(source));
    }

    private FaultRule EffectiveLocked(IPAddress source) =>
        FaultRule.Combine(_everySource, _rules.GetValueOrDefault(source, FaultRule.None));

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Signal()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _changed;
            _changed = NewSignal();
        }
        old.TrySetResult();
    }

    private Task ChangedAsync()
    {
        lock (_gate)
            return _changed.Task;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            var source = Normalize(((IPEndPoint)client.RemoteEndPoint!).Address);
            if (Effective(source).Mode == FaultMode.Cut)
            {
                Interlocked.Increment(ref _refused);
                ResetSocket(client);
                continue;
            }
            _ = HandleAsync(new Connection(this, client, source));
        }
    }

    private async Task HandleAsync(Connection connection)
    {
        lock (_gate)
            _open.Add(connection);
        try
        {
            // A blackholed source gets a connection that goes nowhere: the upstream one is only opened once it may pass.
            if (!await WaitPassableAsync(connection))
                return;
            try
            {
                await connection.Upstream.ConnectAsync(Target, connection.Token);
            }
            catch (Exception)
            {
                return;
            }
            await Task.WhenAny(
                PumpAsync(connection, connection.Client, connection.Upstream),
                PumpAsync(connection, connection.Upstream, connection.Client));
        }
        finally
        {
            lock (_gate)
                _open.Remove(connection);
            connection.Close();
        }
    }

    /// <summary>Waits while the connection's source is blackholed; false when it is cut or the proxy stops.</summary>
    private async Task<bool> WaitPassableAsync(Connection connection)
    {
        while (true)
        {
            var changed = ChangedAsync();
            var mode = Effective(connection.Source).Mode;
            if (mode == FaultMode.Cut || connection.Token.IsCancellationRequested)
                return false;
            if (mode == FaultMode.Pass)
                return true;
            try
            {
                await changed.WaitAsync(connection.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private async Task PumpAsync(Connection connection, Socket from, Socket to)
    {
        var chunks = Channel.CreateBounded<(byte[]? Bytes, int Length, long Due)>(
            new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true });
        var reading = ReadAsync(connection, from, chunks.Writer);
        try
        {
            await foreach (var (bytes, length, due) in chunks.Reader.ReadAllAsync(connection.Token))
            {
                var wait = Stopwatch.GetElapsedTime(due);
                if (wait < TimeSpan.Zero)
                    await Task.Delay(-wait, connection.Token);
                if (!await WaitPassableAsync(connection))
                    return;
                if (bytes is null)
                    return;
                await to.SendAsync(bytes.AsMemory(0, length), SocketFlags.None, connection.Token);
                Interlocked.Add(ref _bytes, length);
            }
        }
        catch (Exception)
        {
            // A reset, a closed side or the proxy stopping ends the pipe.
        }
        finally
        {
            connection.Cancel();
            await reading;
        }
    }

    private async Task ReadAsync(Connection connection, Socket from, ChannelWriter<(byte[]? Bytes, int Length, long Due)> chunks)
    {
        try
        {
            while (true)
            {
                var buffer = new byte[ChunkSize];
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, connection.Token);
                var due = Stopwatch.GetTimestamp() + (long)(Effective(connection.Source).Delay.TotalSeconds * Stopwatch.Frequency);
                // End of stream is queued too: in a blackhole even the close must not get through before a heal.
                await chunks.WriteAsync((read == 0 ? null : buffer, read, due), connection.Token);
                if (read == 0)
                    break;
            }
        }
        catch (Exception)
        {
            // The other pump or a reset closed the sockets.
        }
        finally
        {
            chunks.TryComplete();
        }
    }

    private static void ResetSocket(Socket socket)
    {
        try
        {
            // Linger 0: close with RST, as a refused or broken connection looks to the other side.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception)
        {
        }
        socket.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stop.Cancel();
        _listener.Stop();
        List<Connection> open;
        lock (_gate)
        {
            open = [.. _open];
            _open.Clear();
        }
        foreach (var connection in open)
            connection.Reset();
        Signal();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Connection
    {
        private readonly CancellationTokenSource _cancel;

        public Connection(FaultProxy proxy, Socket client, IPAddress source)
        {
            Client = client;
            Source = source;
            Upstream = new Socket(proxy.Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(proxy._stop.Token);
            Token = _cancel.Token;
        }

        public Socket Client { get; }

        public Socket Upstream { get; }

        public IPAddress Source { get; }

        public CancellationToken Token { get; }

        public void Cancel()
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>Both sides closed with RST.</summary>
        public void Reset()
        {
            Cancel();
            ResetSocket(Client);
            ResetSocket(Upstream);
        }

        /// <summary>Both sides closed normally, what is left of the pumps stopped.</summary>
        public void Close()
        {
            Cancel();
            Client.Dispose();
            Upstream.Dispose();
        }
    }
}
