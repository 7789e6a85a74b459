using System.Net;
using System.Net.Sockets;
using Doozer.Server.Peers;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Doozer.Server.Hosting;

/// <summary>
/// The node's two listeners, <c>--listen</c> (the client API) and <c>--peer-listen</c> (the peer channel, HTTP/2 only),
/// over TLS when the node has a certificate. The node binds their sockets itself when Kestrel is configured, which
/// the host does as it creates the server, before it starts any hosted service: a port 0 is a real port from then
/// on, so the addresses the node registers in /ctl are the ones it serves. Kestrel then listens on these very
/// sockets (<see cref="TakeSocket"/>) once the node has started.
/// </summary>
public sealed class NodeListeners(ListenAddress client, ListenAddress peer, NodeTls? tls)
{
    private readonly Dictionary<EndPoint, Socket> _unclaimed = [];
    private readonly IPAddress? _peerIp = peer.SpecificAddress;
    private IPEndPoint? _clientEndPoint;
    private IPEndPoint? _peerEndPoint;

    /// <summary>The client API's address; its port is the bound one once Kestrel is configured.</summary>
    public ListenAddress Client { get; private set; } = client;

    /// <summary>The peer channel's address; its port is the bound one once Kestrel is configured.</summary>
    public ListenAddress Peer { get; private set; } = peer;

    public string Scheme => tls is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;

    public string ClientUrl => Client.Url(Scheme);

    public string PeerUrl => Peer.Url(Scheme);

    /// <summary>
    /// Binds both listeners (the first time) and gives them to Kestrel: the client API speaks HTTP/1.1 and HTTP/2,
    /// the peer listener HTTP/2 only.
    /// </summary>
    public void Listen(KestrelServerOptions kestrel, ILogger tlsLogger)
    {
        lock (_unclaimed)
        {
            _clientEndPoint ??= Bind(Client);
            _peerEndPoint ??= Bind(Peer);
            Client = Client with { Port = _clientEndPoint.Port };
            Peer = Peer with { Port = _peerEndPoint.Port };
        }
        kestrel.Listen(_clientEndPoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            tls?.ServeClients(listen);
        });
        kestrel.Listen(_peerEndPoint, listen =>
        {
            PeerChannel.ConfigureListener(listen);
            tls?.ServePeers(listen, tlsLogger);
        });
    }

    /// <summary>
    /// For <see cref="SocketTransportOptions.CreateBoundListenSocket"/>: the socket bound for <paramref name="endPoint"/>,
    /// or a new one for an endpoint the node did not bind.
    /// </summary>
    public Socket TakeSocket(EndPoint endPoint)
    {
        lock (_unclaimed)
        {
            if (_unclaimed.Remove(endPoint, out var socket))
                return socket;
        }
        return SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint);
    }

    /// <summary>Whether a connection came in through the peer listener (which serves the peer channel and nothing else).</summary>
    public bool IsPeerConnection(ConnectionInfo connection)
    {
        var port = Peer.Port;
        return port != 0 && connection.LocalPort == port &&
               (_peerIp is null || connection.LocalIpAddress is null || connection.LocalIpAddress.Equals(_peerIp) ||
                connection.LocalIpAddress.IsIPv4MappedToIPv6 && connection.LocalIpAddress.MapToIPv4().Equals(_peerIp));
    }

    private IPEndPoint Bind(ListenAddress address)
    {
        var socket = address.Bind();
        var bound = (IPEndPoint)socket.LocalEndPoint!;
        _unclaimed[bound] = socket;
        return bound;
    }
}
