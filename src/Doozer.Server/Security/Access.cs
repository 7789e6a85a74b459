using System.Security.Cryptography;
using System.Text;
using Doozer.Server.Api;
using Doozer.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Doozer.Server.Security;

public enum AccessLevel
{
    Read,
    Write,
}

/// <summary>
/// The secrets of API.md section 6. Handlers call <see cref="Check"/> after validating their input, so that a
/// malformed request is 400 before it is 401 or 403 (API.md section 2, order of errors).
/// </summary>
public sealed class Access
{
    private readonly byte[]? _secret;
    private readonly byte[]? _roSecret;

    public Access(IOptions<NodeOptions> options)
    {
        _secret = options.Value.Secret is { } s ? Encoding.UTF8.GetBytes(s) : null;
        _roSecret = options.Value.RoSecret is { } r ? Encoding.UTF8.GetBytes(r) : null;
    }

    /// <summary>Null when the request may go on; else the 401 or 403 problem to answer with.</summary>
    public ProblemHttpResult? Check(HttpContext http, AccessLevel level)
    {
        if (_secret is null)
            return null;
        var presented = Presented(http.Request);
        if (presented is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem.Of(ProblemKind.Unauthorized, "This node needs a secret: send 'Authorization: Bearer SECRET'.");
        }
        var bytes = Encoding.UTF8.GetBytes(presented);
        if (CryptographicOperations.FixedTimeEquals(bytes, _secret))
            return null;
        if (_roSecret is not null && CryptographicOperations.FixedTimeEquals(bytes, _roSecret))
            return level == AccessLevel.Read ? null : Problem.Of(ProblemKind.Forbidden, "The read-only secret does not allow writes.");
        http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return Problem.Of(ProblemKind.Unauthorized, "The secret presented is not valid for this node.");
    }

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return header["Bearer ".Length..].Trim();
        // Browsers cannot set headers on an EventSource: the token may come in the query instead.
        return request.Query.TryGetValue("access_token", out var token) ? token.ToString() : null;
    }
}
