using System.Net.Http.Headers;

namespace Doozer.Client;

/// <summary>Sends the secret as <c>Authorization: Bearer</c> (API.md section 6) on every request.</summary>
/// <param name="secret">The secret; null sends nothing.</param>
public sealed class BearerTokenHandler(string? secret) : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(secret))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return base.SendAsync(request, cancellationToken);
    }
}
