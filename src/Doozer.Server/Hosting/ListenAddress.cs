using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Doozer.Server.Hosting;

/// <summary>A HOST:PORT pair as given to --listen ("[::1]:8046" for IPv6).</summary>
public sealed record ListenAddress(string Host, int Port)
{
    /// <summary>The host as an IP address, unless it is a name or a wildcard (0.0.0.0, ::, *).</summary>
    public IPAddress? SpecificAddress =>
        IPAddress.TryParse(Host.Trim('[', ']'), out var ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any) ? ip : null;

    private bool IsWildcard =>
        Host is "*" or "+" || IPAddress.TryParse(Host.Trim('[', ']'), out var any) && (any.Equals(IPAddress.Any) || any.Equals(IPAddress.IPv6Any));

    /// <summary>This address as a URL of <paramref name="scheme"/> (http or https).</summary>
    public string Url(string scheme) => $"{scheme}://{Host}:{Port}";

    /// <summary>
    /// A socket bound to this address, not yet listening; port 0 gets a free port now. A wildcard host is every
    /// address, IPv6 and IPv4 on one dual-mode socket where the system has IPv6 (as Kestrel's ListenAnyIP); a name is
    /// its first address.
    /// </summary>
    public Socket Bind()
    {
        var ip = IsWildcard ? (Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any) : SpecificAddress ?? Dns.GetHostAddresses(Host)[0];
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            socket.Bind(new IPEndPoint(ip, Port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out ListenAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text))
            return false;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            return false;
        var host = text[..colon];
        if (!int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, null, out var port) || port > 65535)
            return false;
        address = new ListenAddress(host, port);
        return true;
    }
}
