using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Doozer.Server.Hosting;

/// <summary>A HOST:PORT pair as given to --listen ("[::1]:8046" for IPv6).</summary>
public sealed record ListenAddress(string Host, int Port)
{
    public string Url => $"http://{Host}:{Port}";

    /// <summary>The host as an IP address, unless it is a name or a wildcard (0.0.0.0, ::, *).</summary>
    public IPAddress? SpecificAddress =>
        IPAddress.TryParse(Host.Trim('[', ']'), out var ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any) ? ip : null;

    /// <summary>Adds a Kestrel endpoint for this address.</summary>
    public void Listen(KestrelServerOptions kestrel, Action<ListenOptions>? configure)
    {
        configure ??= static _ => { };
        if (Host is "*" or "+" || IPAddress.TryParse(Host.Trim('[', ']'), out var any) && (any.Equals(IPAddress.Any) || any.Equals(IPAddress.IPv6Any)))
            kestrel.ListenAnyIP(Port, configure);
        else if (SpecificAddress is { } ip)
            kestrel.Listen(ip, Port, configure);
        else if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase))
            kestrel.ListenLocalhost(Port, configure);
        else
            kestrel.Listen(Dns.GetHostAddresses(Host)[0], Port, configure);
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
