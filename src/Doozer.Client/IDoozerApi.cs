using Doozer.Contracts;
using Refit;

namespace Doozer.Client;

/// <summary>
/// Doozer's HTTP API, one method per operation of <c>openapi/doozer.v1.json</c> (the method name is the operationId).
/// Refit's source generator implements it. Methods that return <see cref="HttpResponseMessage"/> never throw for an
/// HTTP error status: their caller reads the status, headers and body (raw bytes, listings, problems, SSE streams).
/// </summary>
/// <remarks>Paths are given without their leading slash (<c>a/b</c> for <c>/a/b</c>, empty for the root).</remarks>
public interface IDoozerApi
{
    /// <summary>Reads a file (raw bytes) or lists a directory (<c>GET /tree/{path}</c>).</summary>
    /// <param name="path">The path without its leading slash.</param>
    /// <param name="rev">Read at this revision.</param>
    /// <param name="consistency"><c>linearizable</c> (default) or <c>stale</c>.</param>
    /// <param name="limit">Directory page size.</param>
    /// <param name="after">Directory entries after this name.</param>
    /// <param name="wait">Seconds to wait for <paramref name="rev"/> to be applied.</param>
    /// <param name="ifNoneMatch">A quoted rev: <c>304</c> when the file is still at it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status.</returns>
    [Get("/tree/{**path}")]
    Task<HttpResponseMessage> GetTree(
        string path,
        [Query] long? rev = null,
        [Query] string? consistency = null,
        [Query] int? limit = null,
        [Query] string? after = null,
        [Query] double? wait = null,
        [Header("If-None-Match")] string? ifNoneMatch = null,
        CancellationToken cancellationToken = default);

    /// <summary>The headers of <see cref="GetTree"/> without a body: doozer's STAT (<c>HEAD /tree/{path}</c>).</summary>
    /// <param name="path">The path without its leading slash.</param>
    /// <param name="rev">Read at this revision.</param>
    /// <param name="consistency"><c>linearizable</c> (default) or <c>stale</c>.</param>
    /// <param name="limit">Directory page size.</param>
    /// <param name="after">Directory entries after this name.</param>
    /// <param name="wait">Seconds to wait for <paramref name="rev"/> to be applied.</param>
    /// <param name="ifNoneMatch">A quoted rev: <c>304</c> when the file is still at it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status.</returns>
    [Head("/tree/{**path}")]
    Task<HttpResponseMessage> StatTree(
        string path,
        [Query] long? rev = null,
        [Query] string? consistency = null,
        [Query] int? limit = null,
        [Query] string? after = null,
        [Query] double? wait = null,
        [Header("If-None-Match")] string? ifNoneMatch = null,
        CancellationToken cancellationToken = default);

    /// <summary>Writes a file (<c>PUT /tree/{path}</c>), conditionally with <c>If-Match</c> or <c>If-None-Match</c>.</summary>
    /// <param name="path">The path without its leading slash.</param>
    /// <param name="value">The new value; its bytes are stored as they are.</param>
    /// <param name="ifMatch">A quoted rev the file must still have, or <c>*</c> (it must exist).</param>
    /// <param name="ifNoneMatch"><c>*</c>: create only.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status.</returns>
    [Put("/tree/{**path}")]
    Task<HttpResponseMessage> PutTree(
        string path,
        [Body] HttpContent value,
        [Header("If-Match")] string? ifMatch = null,
        [Header("If-None-Match")] string? ifNoneMatch = null,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes a file, or a whole subtree with <paramref name="recursive"/> (<c>DELETE /tree/{path}</c>).</summary>
    /// <param name="path">The path without its leading slash.</param>
    /// <param name="recursive">Delete a directory and everything under it at one revision.</param>
    /// <param name="ifMatch">A quoted rev the file must still have, or <c>*</c>.</param>
    /// <param name="ifNoneMatch">Accepted for symmetry with <see cref="PutTree"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status.</returns>
    [Delete("/tree/{**path}")]
    Task<HttpResponseMessage> DeleteTree(
        string path,
        [Query] bool? recursive = null,
        [Header("If-Match")] string? ifMatch = null,
        [Header("If-None-Match")] string? ifNoneMatch = null,
        CancellationToken cancellationToken = default);

    /// <summary>A page of the files matching a glob, with their values, at one pinned revision (<c>GET /walk</c>).</summary>
    /// <param name="glob">The glob, for example <c>/a/**</c>.</param>
    /// <param name="rev">The revision to pin (pass the first page's rev for later pages).</param>
    /// <param name="consistency"><c>linearizable</c> (default) or <c>stale</c>.</param>
    /// <param name="limit">Page size (default 1000, at most 10000).</param>
    /// <param name="after">Files after this path.</param>
    /// <param name="encoding"><c>utf8</c> for text values; base64 otherwise.</param>
    /// <param name="wait">Seconds to wait for <paramref name="rev"/> to be applied.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status.</returns>
    [Get("/walk")]
    Task<HttpResponseMessage> Walk(
        [Query] string glob,
        [Query] long? rev = null,
        [Query] string? consistency = null,
        [Query] int? limit = null,
        [Query] string? after = null,
        [Query] string? encoding = null,
        [Query] double? wait = null,
        CancellationToken cancellationToken = default);

    /// <summary>Long-polls for the first change at or after a revision (<c>GET /wait</c>): <c>200</c> or <c>204</c>.</summary>
    /// <param name="glob">The glob the changed path must match.</param>
    /// <param name="rev">The first revision to consider; the next change when absent.</param>
    /// <param name="timeout">Seconds to wait (default 30, 0 to 300).</param>
    /// <param name="encoding"><c>utf8</c> for a text value; base64 otherwise.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status.</returns>
    [Get("/wait")]
    Task<HttpResponseMessage> Wait(
        [Query] string glob,
        [Query] long? rev = null,
        [Query] double? timeout = null,
        [Query] string? encoding = null,
        CancellationToken cancellationToken = default);

    /// <summary>Opens a Server-Sent Events stream of changes (<c>GET /watch</c>); the body is read as it arrives.</summary>
    /// <param name="glob">The glob the changed paths must match.</param>
    /// <param name="rev">Replay from this revision.</param>
    /// <param name="encoding"><c>utf8</c> for text values; base64 otherwise.</param>
    /// <param name="progress">Seconds between progress events on a quiet stream.</param>
    /// <param name="lastEventId">Resume after this revision (takes precedence over <paramref name="rev"/>).</param>
    /// <param name="cancellationToken">Cancels the request and the stream.</param>
    /// <returns>The response, whatever its status.</returns>
    [Get("/watch")]
    [Headers("Accept: text/event-stream")]
    Task<HttpResponseMessage> Watch(
        [Query] string glob,
        [Query] long? rev = null,
        [Query] string? encoding = null,
        [Query] double? progress = null,
        [Header("Last-Event-ID")] string? lastEventId = null,
        CancellationToken cancellationToken = default);

    /// <summary>The current store revision (<c>GET /rev</c>): doozer's REV.</summary>
    /// <param name="consistency"><c>linearizable</c> (default) or <c>stale</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The revision, or the error.</returns>
    [Get("/rev")]
    Task<IApiResponse<RevResponse>> GetRev([Query] string? consistency = null, CancellationToken cancellationToken = default);

    /// <summary>Commits an empty entry through consensus and returns once it is decided (<c>POST /nop</c>): a barrier.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The revision, or the error.</returns>
    [Post("/nop")]
    Task<IApiResponse<RevResponse>> Nop(CancellationToken cancellationToken = default);

    /// <summary>The node answering (<c>GET /self</c>): doozer's SELF.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The node, or the error.</returns>
    [Get("/self")]
    Task<IApiResponse<SelfResponse>> GetSelf(CancellationToken cancellationToken = default);

    /// <summary>The cluster as the node answering sees it (<c>GET /cluster</c>).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The cluster, or the error.</returns>
    [Get("/cluster")]
    Task<IApiResponse<ClusterResponse>> GetCluster(CancellationToken cancellationToken = default);

    /// <summary>Whether the process is up (<c>GET /livez</c>).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status.</returns>
    [Get("/livez")]
    Task<HttpResponseMessage> Livez(CancellationToken cancellationToken = default);

    /// <summary>Whether the node has a leader and is caught up (<c>GET /readyz</c>; <c>503</c> otherwise).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status.</returns>
    [Get("/readyz")]
    Task<HttpResponseMessage> Readyz(CancellationToken cancellationToken = default);

    /// <summary>The node's metrics in Prometheus text format (<c>GET /metrics</c>).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status.</returns>
    [Get("/metrics")]
    Task<HttpResponseMessage> Metrics(CancellationToken cancellationToken = default);
}
