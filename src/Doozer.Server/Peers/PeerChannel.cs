using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Doozer.Consensus.Messages;
using Doozer.Consensus.Wire;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Doozer.Server.Peers;

/// <summary>
/// The node's end of the peer channel: outbound <see cref="PeerLink"/>s by node id, the inbound endpoints, and the
/// queue of received messages the node driver reads (<see cref="Received"/>). Each node dials every peer it sends
/// to, so a pair of nodes holds two HTTP/2 connections, one per direction; each owns its reconnects.
/// </summary>
public sealed class PeerChannel : IAsyncDisposable
{
    private readonly PeerChannelOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IPeerSnapshotSource? _snapshots;
    private readonly byte[]? _secret;
    private readonly Channel<Message> _received;
    private readonly ConcurrentDictionary<int, PeerLink> _links = new();
    private readonly CancellationTokenSource _stopping = new();

    public PeerChannel(PeerChannelOptions options, ILoggerFactory loggerFactory, IPeerSnapshotSource? snapshots = null)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PeerChannel>();
        _snapshots = snapshots;
        _secret = options.PeerSecret is { } s ? Encoding.UTF8.GetBytes(s) : null;
        _received = Channel.CreateBounded<Message>(new BoundedChannelOptions(options.ReceiveQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>Messages received from every peer, in order per sending peer. One reader: the node driver.</summary>
    public ChannelReader<Message> Received => _received.Reader;

    /// <summary>Kestrel settings for the <c>--peer-listen</c> listener: HTTP/2 only, so cleartext means h2c with prior knowledge (and TLS, h2 by ALPN).</summary>
    public static void ConfigureListener(ListenOptions listen) => listen.Protocols = HttpProtocols.Http2;

    /// <summary>
    /// Maps the peer endpoints. Map them so they answer only on the peer listener (for instance
    /// <c>.RequireHost("*:PEERPORT")</c> on the returned group): clients have no business there.
    /// </summary>
    public RouteGroupBuilder MapPeerEndpoint(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(PeerRoutes.Prefix).ExcludeFromDescription();
        group.MapPost(PeerRoutes.MessagesRoute, (RequestDelegate)ReceiveAsync);
        group.MapGet(PeerRoutes.SnapshotRoute, ServeSnapshotAsync);
        return group;
    }

    /// <summary>The link to <paramref name="nodeId"/>, created on first use; a new address replaces the old link.</summary>
    public PeerLink Connect(int nodeId, Uri address)
    {
        while (true)
        {
            if (_links.TryGetValue(nodeId, out var existing))
            {
                if (existing.Address == address)
                    return existing;
                if (_links.TryRemove(KeyValuePair.Create(nodeId, existing)))
                    _ = existing.DisposeAsync().AsTask();
                continue;
            }
            var link = new PeerLink(nodeId, address, _options, _loggerFactory.CreateLogger<PeerLink>());
            if (_links.TryAdd(nodeId, link))
                return link;
            _ = link.DisposeAsync().AsTask();
        }
    }

    /// <summary>
    /// A client for one-off requests to peers and members (the join), reaching them as the links do: with this
    /// node's TLS settings and from its peer address.
    /// </summary>
    public HttpClient CreateClient(TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = _options.ConnectTimeout };
        if (_options.Tls is { } tls)
            handler.SslOptions = tls;
        if (_options.SourceAddress is { } source)
            handler.ConnectCallback = (context, cancellationToken) => PeerLink.ConnectFromAsync(source, context.DnsEndPoint, cancellationToken);
        return new HttpClient(handler) { Timeout = timeout };
    }

    public bool TryGetLink(int nodeId, [MaybeNullWhen(false)] out PeerLink link) => _links.TryGetValue(nodeId, out link);

    /// <summary>Queues <paramref name="message"/> to its <see cref="Message.To"/>; never blocks. False for an unknown peer.</summary>
    public bool Send(Message message) => _links.TryGetValue(message.To, out var link) && link.Send(message);

    /// <summary>Stops sending to a node (it left the cluster); queued messages are discarded.</summary>
    public async ValueTask DisconnectAsync(int nodeId)
    {
        if (_links.TryRemove(nodeId, out var link))
            await link.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var id in _links.Keys)
            await DisconnectAsync(id);
        // _stopping is not disposed: a request arriving during shutdown still links to its (cancelled) token.
        _received.Writer.TryComplete();
    }

    private async Task ReceiveAsync(HttpContext http)
    {
        if (!Authorized(http))
            return;
        // The stream lives as long as the link: no body size limit, and idle periods are not a slow client.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = null;
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
            rate.MinDataRate = null;
        var remote = http.Connection.RemoteIpAddress;
        var lifetime = http.RequestServices.GetService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(
            http.RequestAborted, _stopping.Token, lifetime?.ApplicationStopping ?? CancellationToken.None);
        http.Response.StatusCode = StatusCodes.Status200OK;
        // Headers out now: they tell the dialer its secret was accepted and the stream is up.
        await http.Response.StartAsync(stop.Token);
        await http.Response.Body.FlushAsync(stop.Token);
        var reader = http.Request.BodyReader;
        Exception? ended = null;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(stop.Token);
                var buffer = read.Buffer;
                while (PeerFrame.TryRead(ref buffer, _options.MaxFrameBytes, out var frame))
                {
                    // Waiting here when the driver lags stops reading, and HTTP/2 flow control slows the sender.
                    await _received.Writer.WriteAsync(MessageCodec.Decode(frame), stop.Token);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                    break;
            }
        }
        catch (FormatException e)
        {
            PeerLog.Malformed(_logger, remote, e);
            http.Abort();
            return;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ChannelClosedException)
        {
            ended = e;
        }
        PeerLog.InboundEnded(_logger, remote, ended);
    }

    private async Task ServeSnapshotAsync(HttpContext http, long slot)
    {
        if (!Authorized(http))
            return;
        await using var snapshot = _snapshots is null ? null : await _snapshots.OpenSnapshotAsync(slot, http.RequestAborted);
        if (snapshot is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        http.Response.ContentType = "application/octet-stream";
        if (snapshot.CanSeek)
            http.Response.ContentLength = snapshot.Length - snapshot.Position;
        await snapshot.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    /// <summary>Checks the peer secret in constant time; on failure answers 401 and logs who tried.</summary>
    public bool Authorized(HttpContext http)
    {
        if (_secret is null)
            return true;
        string reason;
        if (AuthenticationHeaderValue.TryParse(http.Request.Headers.Authorization.ToString(), out var header) &&
            string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) && header.Parameter is { } presented)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _secret))
                return true;
            reason = "wrong peer secret";
        }
        else
        {
            reason = "no peer secret";
        }
        PeerLog.Rejected(_logger, http.Request.Path, http.Connection.RemoteIpAddress, reason);
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return false;
    }
}
