using System.Net;

namespace Doozer.Server.Hosting;

/// <summary>Tells connections to the peer listener (--peer-listen) from connections to the client listener.</summary>
public sealed class PeerListener(ListenAddress address)
{
    private readonly IPAddress? _ip = address.SpecificAddress;

    public bool Accepted(ConnectionInfo connection) =>
        address.Port != 0 && connection.LocalPort == address.Port &&
        (_ip is null || connection.LocalIpAddress is null || connection.LocalIpAddress.Equals(_ip) ||
         connection.LocalIpAddress.IsIPv4MappedToIPv6 && connection.LocalIpAddress.MapToIPv4().Equals(_ip));
}
