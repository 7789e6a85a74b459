using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Threading.Channels;
using Doozer.Consensus.Messages;

namespace Doozer.Server.Peers;

/// <summary>
/// The outbound half of the channel to one peer: a bounded queue and one long-lived HTTP/2 connection carrying a
/// streaming POST of frames (and, multiplexed on the same connection, snapshot downloads). <see cref="Send"/> never
/// blocks: a full queue drops its oldest message (see <see cref="PeerChannelOptions.SendQueueCapacity"/>). A broken
/// or refused connection is retried with exponential backoff, with jitter so a restarted cluster does not reconnect
/// in lockstep.
/// </summary>
public sealed class PeerLink : IAsyncDisposable
{
    private readonly Channel<Message> _queue;
    private readonly HttpClient _http;
    private readonly PeerChannelOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _dropped;
    private volatile bool _connected;

    // A refused secret is logged when the refusals start and then once a minute while they last, not at every
    // reconnect: a misconfigured peer would otherwise fill the log with the same error every second or two.
    private static readonly TimeSpan RefusalLogInterval = TimeSpan.FromMinutes(1);
    private long _refusalLoggedAt = -1;

    internal PeerLink(int nodeId, Uri address, PeerChannelOptions options, ILogger logger)
    {
        NodeId = nodeId;
        Address = address;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<Message>(
            new BoundedChannelOptions(options.SendQueueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
            },
            _ => Interlocked.Increment(ref _dropped));
        var handler = new SocketsHttpHandler
        {
            // One connection per peer: the message stream and snapshot downloads are HTTP/2 streams on it.
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // A stopped or partitioned peer never closes the socket: PINGs find it, so the link reconnects.
            KeepAlivePingDelay = options.KeepAlivePing,
            KeepAlivePingTimeout = options.KeepAlivePing,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = options.ConnectTimeout,
        };
        if (options.Tls is { } tls)
            handler.SslOptions = tls;
        if (options.SourceAddress is { } source)
            handler.ConnectCallback = (context, cancellationToken) => ConnectFromAsync(source, context.DnsEndPoint, cancellationToken);
        _http = new HttpClient(handler)
        {
            BaseAddress = address,
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version20,
            // Exact version: over http:// HTTP/2 with prior knowledge (h2c), no upgrade dance; over https:// HTTP/2
            // by ALPN; never an HTTP/1.1 fallback.
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _loop = Task.Run(RunAsync);
    }

    public int NodeId { get; }

    public Uri Address { get; }

    /// <summary>Whether the message stream is established (the peer accepted our secret).</summary>
    public bool IsConnected => _connected;

    /// <summary>Messages dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a message and returns at once; false only once the link is disposed.</summary>
    public bool Send(Message message) => _queue.Writer.TryWrite(message);

    /// <summary>
    /// Downloads the peer's snapshot of <paramref name="slot"/> as a stream (the caller disposes it), or null if the
    /// peer does not hold that snapshot.
    /// </summary>
    public async Task<Stream?> OpenSnapshotAsync(long slot, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, PeerRoutes.SnapshotOf(slot));
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }
        try
        {
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var delay = _options.ReconnectMinDelay;
        while (!_stop.IsCancellationRequested)
        {
            if (await StreamOnceAsync())
                delay = _options.ReconnectMinDelay;
            var jittered = delay * (0.5 + Random.Shared.NextDouble());
            try
            {
                await Task.Delay(jittered, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
        }
    }

    /// <summary>One connection's life: true if it got established (so the backoff starts over).</summary>
    private async Task<bool> StreamOnceAsync()
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var content = new PeerStreamContent(_queue.Reader, connection.Token);
        using var request = Request(HttpMethod.Post, PeerRoutes.Messages, content);
        var established = false;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connection.Token);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                var now = Stopwatch.GetTimestamp();
                if (_refusalLoggedAt < 0 || Stopwatch.GetElapsedTime(_refusalLoggedAt, now) >= RefusalLogInterval)
                {
                    PeerLog.RefusedByPeer(_logger, NodeId, Address, response.StatusCode);
                    _refusalLoggedAt = now;
                }
                return false;
            }
            response.EnsureSuccessStatusCode();
            _refusalLoggedAt = -1;
            established = true;
            _connected = true;
            PeerLog.Connected(_logger, NodeId, Address);
            // The peer never answers with data: its response ending (shutdown, reset) or our body failing ends the stream.
            await using var body = await response.Content.ReadAsStreamAsync(connection.Token);
            var drained = body.CopyToAsync(Stream.Null, connection.Token);
            await Task.WhenAny(drained, content.Completion);
            await connection.CancelAsync();
            await Task.WhenAll(drained, content.Completion).ContinueWith(static _ => { }, TaskScheduler.Default);
            if (!_stop.IsCancellationRequested)
                PeerLog.Disconnected(_logger, NodeId, Address, drained.Exception?.GetBaseException());
        }
        catch (Exception e)
        {
            // Every failure of a connection is the same to the link: log it (unless we are closing) and reconnect.
            if (_stop.IsCancellationRequested)
                return established;
            if (established)
                PeerLog.Disconnected(_logger, NodeId, Address, e);
            else
                PeerLog.ConnectFailed(_logger, NodeId, Address, e);
        }
        finally
        {
            // The body writer must stop before the next connection's starts: both read the same queue.
            await connection.CancelAsync();
            await content.CompletionIfStarted.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(static _ => { }, TaskScheduler.Default);
            _connected = false;
        }
        return established;
    }

    internal static async ValueTask<Stream> ConnectFromAsync(IPAddress source, DnsEndPoint target, CancellationToken cancellationToken)
    {
        var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(target, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A request to the peer: HTTP/2 exactly (HttpClient's defaults apply only to its convenience methods, not to a
    /// message built by hand), with the peer secret.
    /// </summary>
    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        if (_options.PeerSecret is { } secret)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return request;
    }
}
