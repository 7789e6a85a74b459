using System.Diagnostics.CodeAnalysis;

namespace Doozer.Server.Hosting;

/// <summary>A HOST:PORT pair as given to --listen ("[::1]:8046" for IPv6).</summary>
public sealed record ListenAddress(string Host, int Port)
{
    public string Url => $"http://{Host}:{Port}";

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
