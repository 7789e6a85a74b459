using System.Text;

namespace Doozer.Server.Api;

/// <summary>File values inside JSON: base64 by default, UTF-8 text on request (bytes that are not UTF-8 become U+FFFD).</summary>
public static class Values
{
    public static string Encode(ReadOnlySpan<byte> value, bool utf8) =>
        utf8 ? Encoding.UTF8.GetString(value) : Convert.ToBase64String(value);
}
