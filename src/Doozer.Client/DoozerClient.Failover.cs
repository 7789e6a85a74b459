using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Doozer.Contracts;
using Refit;

namespace Doozer.Client;

public sealed partial class DoozerClient
{
    /// <summary>
    /// Sends a request to the current node, then to each other node in turn while a node fails: the connection
    /// fails, the node times out, or it answers <c>503</c> (no quorum, not ready). Any other answer is returned.
    /// </summary>
    private Task<HttpResponseMessage> SendAsync(
        Func<IDoozerApi, CancellationToken, Task<HttpResponseMessage>> call,
        CancellationToken cancellationToken,
        TimeSpan? budget = null) =>
        FailoverAsync(call, static r => (HttpStatusCode?)r.StatusCode, cancellationToken, budget);

    private async Task<IApiResponse<T>> SendApiAsync<T>(
        Func<IDoozerApi, CancellationToken, Task<IApiResponse<T>>> call,
        CancellationToken cancellationToken)
    {
        var response = await FailoverAsync(call, static r => r.StatusCode, cancellationToken, null).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
                throw Problem(response.StatusCode ?? 0, (response.Error as ApiException)?.Content);
        }
        return response;
    }

    private async Task<TResponse> FailoverAsync<TResponse>(
        Func<IDoozerApi, CancellationToken, Task<TResponse>> call,
        Func<TResponse, HttpStatusCode?> status,
        CancellationToken cancellationToken,
        TimeSpan? budget)
        where TResponse : IDisposable
    {
        var start = Volatile.Read(ref _current);
        var failures = new StringBuilder();
        Exception? last = null;
        for (var attempt = 0; attempt < _nodes.Length; attempt++)
        {
            var index = (start + attempt) % _nodes.Length;
            var node = _nodes[index];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(budget ?? _options.RequestTimeout);
            try
            {
                var response = await call(node.Api, timeout.Token).ConfigureAwait(false);
                var code = status(response);
                if (code is not null and not HttpStatusCode.ServiceUnavailable)
                {
                    Volatile.Write(ref _current, index);
                    return response;
                }
                // No status: Refit captured a transport failure in the response instead of throwing it.
                if (code is null && response is IApiResponse { Error: { } error })
                {
                    if (cancellationToken.IsCancellationRequested)
                        throw new OperationCanceledException(cancellationToken);
                    last = error;
                }
                response.Dispose();
                failures.Append(CultureInfo.InvariantCulture, $"; {node.Uri}: {(code is null ? last?.InnerException?.Message ?? last?.Message : "503 Service Unavailable")}");
            }
            catch (Exception e) when (IsNodeFailure(e, cancellationToken))
            {
                last = e;
                failures.Append(CultureInfo.InvariantCulture, $"; {node.Uri}: {(e is OperationCanceledException ? "timed out" : e.Message)}");
            }
        }
        throw new DoozerUnavailableException($"no node answered{failures}", last);
    }

    /// <summary>A failure of the node (or the way to it), not of the request: the next node may succeed.</summary>
    internal static bool IsNodeFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException => true,
        IOException => true,
        // Refit wraps a transport failure (connection refused, reset) in this.
        ApiRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw Problem(response.StatusCode, body);
    }

    internal static DoozerException Problem(HttpStatusCode status, string? body)
    {
        string? type = null;
        string? detail = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.ValueKind == JsonValueKind.Object)
                {
                    if (json.RootElement.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String)
                        type = t.GetString();
                    if (json.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
                        detail = d.GetString();
                    else if (json.RootElement.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String)
                        detail = title.GetString();
                }
            }
            catch (JsonException)
            {
                detail = body;
            }
        }
        return new DoozerException(detail ?? $"{(int)status} {status}", status, type);
    }

    private static async Task<long> CurrentRevAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("currentRev", out var rev) && rev.TryGetInt64(out var value) ? value : 0;
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var value = await JsonSerializer.DeserializeAsync(stream, typeof(T), DoozerJsonContext.Default, cancellationToken).ConfigureAwait(false);
            return (T?)value ?? throw new DoozerException($"empty {typeof(T).Name} from {response.RequestMessage?.RequestUri}");
        }
    }

    private static T Content<T>(IApiResponse<T> response) =>
        response.Content ?? throw new DoozerException($"empty {typeof(T).Name} answer");

    private static PathKind KindOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(DoozerHeaders.Kind, out var values) && values.FirstOrDefault() == "dir"
            ? PathKind.Directory
            : PathKind.File;

    private static long ETagOf(HttpResponseMessage response)
    {
        var tag = response.Headers.ETag?.Tag;
        return tag is not null && long.TryParse(tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var rev) ? rev : 0;
    }

    private static long StoreRevOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(DoozerHeaders.Rev, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var rev)
            ? rev
            : 0;
}
