using System.Net.ServerSentEvents;
using System.Reflection;
using Doozer.Server.Watches;
using Doozer.Store.Paths;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Doozer.Server.Api;

/// <summary>
/// A watch's <c>text/event-stream</c> response, written straight to the response pipe by <see cref="WatchHub"/>:
/// shared pre-encoded bytes per revision and one flush per batch, where <c>TypedResults.ServerSentEvents</c> formats
/// and flushes every event of every stream on its own (10,000 streams made that the whole cost of a write).
/// The headers and the bytes are the ones that result sent.
/// </summary>
public sealed class WatchStreamResult(WatchHub hub, Glob glob, long from, bool utf8, TimeSpan progressEvery)
    : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        // Never compressed or buffered: each batch must reach the client when it is flushed.
        response.Headers.ContentEncoding = "identity";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var aborted = httpContext.RequestAborted;
        try
        {
            await hub.StreamAsync(response.BodyWriter, glob, from, utf8, progressEvery, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: the stream is over, nothing to report.
        }
    }

    // The OpenAPI document describes the response as TypedResults.ServerSentEvents did: SSE items of string data.
    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(SseItem<string>), ["text/event-stream"]));
}
