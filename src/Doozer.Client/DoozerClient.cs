using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Doozer.Contracts;
using Refit;

namespace Doozer.Client;

/// <summary>
/// Doozer's operations with typed results over one or several nodes. A node that fails a request (connection refused,
/// timeout, <c>503</c>) is skipped and the request goes to the next; the last node that answered is used first next
/// time. A failed condition is a <see cref="WriteResult"/>, not an exception; other refusals throw
/// <see cref="DoozerException"/>, and <see cref="DoozerUnavailableException"/> when no node answered.
/// </summary>
/// <remarks>
/// A write is retried on the next node when its node failed; if the first node had committed it before failing, the
/// retry of a conditional write reports a rev mismatch, and an unconditional one commits twice (with the same bytes).
/// Thread-safe: share one instance.
/// </remarks>
public sealed partial class DoozerClient : IDisposable
{
    /// <summary>The <c>ifRev</c> that makes a write or delete unconditional (original doozer's <c>-1</c>).</summary>
    public const long Clobber = -1;

    /// <summary>The <c>ifRev</c> that makes a write create-only: it fails when the file exists (original doozer's <c>0</c>).</summary>
    public const long Missing = 0;

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = DoozerJsonContext.Default,
    };

    /// <summary>The Refit settings the client uses: System.Text.Json with the source-generated wire metadata.</summary>
    public static RefitSettings RefitSettings { get; } = new(new SystemTextJsonContentSerializer(JsonOptions));

    private readonly Node[] _nodes;
    private readonly DoozerClientOptions _options;
    private readonly bool _ownsClients;
    private int _current;

    /// <summary>Creates a client for the nodes of <paramref name="options"/> (the default node when none is given).</summary>
    /// <param name="options">The nodes, the secret and the timeouts.</param>
    public DoozerClient(DoozerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var uris = options.Nodes.Count > 0 ? options.Nodes.ToArray() : [DoozerClientOptions.DefaultNode];
        _nodes = new Node[uris.Length];
        for (var i = 0; i < uris.Length; i++)
        {
            var http = new HttpClient(new BearerTokenHandler(options.Secret) { InnerHandler = new SocketsHttpHandler() })
            {
                BaseAddress = uris[i],
                Timeout = Timeout.InfiniteTimeSpan,
            };
            _nodes[i] = new Node(uris[i], http, RestService.ForGenerated<IDoozerApi>(http, RefitSettings));
        }
        _ownsClients = true;
    }

    /// <summary>Creates a client for the given node URLs.</summary>
    /// <param name="nodes">The nodes, in order of preference.</param>
    public DoozerClient(params Uri[] nodes)
        : this(WithNodes(nodes))
    {
    }

    /// <summary>
    /// Creates a client over HTTP clients made elsewhere (by <c>IHttpClientFactory</c>), one per node, each with its
    /// <see cref="HttpClient.BaseAddress"/> set and its own handlers (the bearer token among them). They are not disposed.
    /// </summary>
    /// <param name="nodes">One HTTP client per node, in order of preference.</param>
    /// <param name="options">Timeouts and reconnection settings; the nodes and secret in it are ignored.</param>
    public DoozerClient(IEnumerable<HttpClient> nodes, DoozerClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _options = options ?? new DoozerClientOptions();
        _nodes = nodes.Select(http => new Node(
            http.BaseAddress ?? throw new ArgumentException("every HttpClient needs a BaseAddress", nameof(nodes)),
            http,
            RestService.ForGenerated<IDoozerApi>(http, RefitSettings))).ToArray();
        if (_nodes.Length == 0)
            throw new ArgumentException("at least one node is needed", nameof(nodes));
    }

    /// <summary>The nodes, in order of preference.</summary>
    public IReadOnlyList<Uri> Nodes => _nodes.Select(n => n.Uri).ToArray();

    /// <summary>The node the next request goes to first: the last one that answered.</summary>
    public Uri CurrentNode => _nodes[Volatile.Read(ref _current)].Uri;

    /// <summary>The raw API of the node the next request goes to first, for what the typed methods do not cover.</summary>
    public IDoozerApi Api => _nodes[Volatile.Read(ref _current)].Api;

    private static DoozerClientOptions WithNodes(Uri[] nodes)
    {
        var options = new DoozerClientOptions();
        foreach (var node in nodes)
            options.Nodes.Add(node);
        return options;
    }

    /// <summary>Reads a file: doozer's GET.</summary>
    /// <param name="path">The file, for example <c>/a/b</c>.</param>
    /// <param name="rev">Read the file as it was at this revision; the latest when null.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The value and revision, or null when there is no such file.</returns>
    /// <exception cref="DoozerException">The path is a directory or malformed, or the revision is outside the history.</exception>
    public async Task<DoozerFile?> GetAsync(string path, long? rev = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync((api, ct) => api.GetTree(Relative(path), rev, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        if (KindOf(response) == PathKind.Directory)
            throw new DoozerException($"{path} is a directory", HttpStatusCode.Conflict, ProblemTypes.IsDir);
        var value = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new DoozerFile(path, value, ETagOf(response), StoreRevOf(response));
    }

    /// <summary>What a path is, with a file's revision and size: doozer's STAT.</summary>
    /// <param name="path">The path.</param>
    /// <param name="rev">Look at this revision; the latest when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The path's kind, revision and size, or null when nothing is there.</returns>
    public async Task<PathStat?> StatAsync(string path, long? rev = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync((api, ct) => api.StatTree(Relative(path), rev, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var kind = KindOf(response);
        return kind == PathKind.Directory
            ? new PathStat(path, kind, 0, 0, StoreRevOf(response))
            : new PathStat(path, kind, ETagOf(response), response.Content.Headers.ContentLength ?? 0, StoreRevOf(response));
    }

    /// <summary>Writes a file, conditionally: doozer's SET.</summary>
    /// <param name="path">The file.</param>
    /// <param name="value">Its new bytes.</param>
    /// <param name="ifRev">The revision the file must still have; <see cref="Missing"/> (0): it must not exist;
    /// <see cref="Clobber"/> (-1, the default): unconditional.</param>
    /// <param name="cancellationToken">Cancels the request (the write may still commit).</param>
    /// <returns>The new revision, or a rev mismatch with the file's current revision.</returns>
    public async Task<WriteResult> SetAsync(string path, ReadOnlyMemory<byte> value, long ifRev = Clobber, CancellationToken cancellationToken = default)
    {
        var (ifMatch, ifNoneMatch) = Conditions(ifRev);
        using var response = await SendAsync((api, ct) => api.PutTree(Relative(path), Body(value), ifMatch, ifNoneMatch, ct), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
            return WriteResult.Mismatch(await CurrentRevAsync(response, cancellationToken).ConfigureAwait(false));
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return WriteResult.Committed(ETagOf(response));
    }

    /// <summary>Deletes a file, conditionally: doozer's DEL.</summary>
    /// <param name="path">The file.</param>
    /// <param name="ifRev">The revision the file must still have; <see cref="Clobber"/> (-1, the default): unconditional.</param>
    /// <param name="cancellationToken">Cancels the request (the delete may still commit).</param>
    /// <returns>The revision the delete committed at, or a rev mismatch with the file's current revision.</returns>
    /// <exception cref="DoozerException">The file does not exist (<c>not-found</c>) or is a directory (<c>is-dir</c>).</exception>
    public async Task<WriteResult> DeleteAsync(string path, long ifRev = Clobber, CancellationToken cancellationToken = default)
    {
        var (ifMatch, _) = Conditions(ifRev);
        if (ifRev == Missing)
            ifMatch = "\"0\"";
        using var response = await SendAsync((api, ct) => api.DeleteTree(Relative(path), null, ifMatch, null, ct), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
            return WriteResult.Mismatch(await CurrentRevAsync(response, cancellationToken).ConfigureAwait(false));
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return WriteResult.Committed(StoreRevOf(response));
    }

    /// <summary>Deletes a directory and everything under it (or a single file) at one revision.</summary>
    /// <param name="path">The directory or file.</param>
    /// <param name="cancellationToken">Cancels the request (the delete may still commit).</param>
    /// <returns>The revision the delete committed at.</returns>
    public async Task<long> DeleteTreeAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync((api, ct) => api.DeleteTree(Relative(path), true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return StoreRevOf(response);
    }

    /// <summary>The current store revision: doozer's REV.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The revision.</returns>
    public async Task<long> RevAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendApiAsync((api, ct) => api.GetRev(cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return Content(response).Rev;
    }

    /// <summary>A consensus barrier: returns once an empty entry is decided: doozer's NOP.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The store revision (a no-op does not change it).</returns>
    public async Task<long> NopAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendApiAsync((api, ct) => api.Nop(ct), cancellationToken).ConfigureAwait(false);
        return Content(response).Rev;
    }

    /// <summary>The node answering: doozer's SELF.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Its id and name.</returns>
    public async Task<SelfResponse> SelfAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendApiAsync((api, ct) => api.GetSelf(ct), cancellationToken).ConfigureAwait(false);
        return Content(response);
    }

    /// <summary>The cluster: its members, leader and roles.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The cluster as the node answering sees it.</returns>
    public async Task<ClusterResponse> ClusterAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendApiAsync((api, ct) => api.GetCluster(ct), cancellationToken).ConfigureAwait(false);
        return Content(response);
    }

    /// <summary>Waits for the first change at or after a revision whose path matches a glob: doozer's WAIT.</summary>
    /// <param name="glob">The glob, for example <c>/a/**</c>.</param>
    /// <param name="fromRev">The first revision to consider (history is replayed); the next change when null.</param>
    /// <param name="timeout">How long the node waits (0 to 300 s); its default (30 s) when null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The change, or null when nothing happened in time.</returns>
    public async Task<WaitResult?> WaitAsync(string glob, long? fromRev = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var seconds = timeout?.TotalSeconds;
        var budget = TimeSpan.FromSeconds(seconds ?? 30) + _options.RequestTimeout;
        using var response = await SendAsync((api, ct) => api.Wait(glob, fromRev, seconds, cancellationToken: ct), cancellationToken, budget).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent)
            return null;
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var wait = await ReadJsonAsync<WaitResponse>(response, cancellationToken).ConfigureAwait(false);
        return new WaitResult(ToEvent(wait.Rev, wait.Path, wait.Kind, wait.Value), wait.Also ?? []);
    }

    /// <summary>
    /// Every file matching a glob with its value, in path order, at one revision: doozer's WALK. Pages are fetched as the
    /// enumeration goes, all pinned at the revision of the first (which must stay in the node's history meanwhile).
    /// </summary>
    /// <param name="glob">The glob, for example <c>/**</c>.</param>
    /// <param name="rev">The revision to walk; the latest when null.</param>
    /// <param name="pageSize">Files per request (1 to 10000).</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The files.</returns>
    public async IAsyncEnumerable<WalkFile> WalkAsync(
        string glob,
        long? rev = null,
        int pageSize = 1000,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        do
        {
            var pinned = rev;
            var from = after;
            WalkResponse page;
            using (var response = await SendAsync((api, ct) => api.Walk(glob, pinned, null, pageSize, from, cancellationToken: ct), cancellationToken).ConfigureAwait(false))
            {
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                page = await ReadJsonAsync<WalkResponse>(response, cancellationToken).ConfigureAwait(false);
            }
            rev = page.Rev;
            foreach (var file in page.Files)
                yield return new WalkFile(file.Path, file.Rev, Convert.FromBase64String(file.Value), page.Rev);
            after = page.Next;
        }
        while (after is not null);
    }

    /// <summary>The entries of a directory in name order, at one revision: doozer's GETDIR, paged.</summary>
    /// <param name="path">The directory.</param>
    /// <param name="rev">The revision to list; the latest when null.</param>
    /// <param name="pageSize">Entries per request (1 to 10000).</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The entries.</returns>
    /// <exception cref="DoozerException">The path does not exist (<c>not-found</c>) or is a file (<c>not-dir</c>).</exception>
    public async IAsyncEnumerable<DirEntryDto> ListAsync(
        string path,
        long? rev = null,
        int pageSize = 1000,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var directory = Relative(path);
        if (directory.Length > 0)
            directory += "/";
        string? after = null;
        do
        {
            var pinned = rev;
            var from = after;
            DirListing page;
            using (var response = await SendAsync((api, ct) => api.GetTree(directory, pinned, null, pageSize, from, cancellationToken: ct), cancellationToken).ConfigureAwait(false))
            {
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                page = await ReadJsonAsync<DirListing>(response, cancellationToken).ConfigureAwait(false);
            }
            rev = page.Rev;
            foreach (var entry in page.Entries)
                yield return entry;
            after = page.Next;
        }
        while (after is not null);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_ownsClients)
            return;
        foreach (var node in _nodes)
            node.Http.Dispose();
    }

    internal static string Relative(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
            throw new ArgumentException($"a path starts with '/': {path}", nameof(path));
        return path[1..];
    }

    private static (string? IfMatch, string? IfNoneMatch) Conditions(long ifRev) => ifRev switch
    {
        Clobber => (null, null),
        Missing => (null, "*"),
        > 0 => ($"\"{ifRev}\"", null),
        _ => throw new ArgumentOutOfRangeException(nameof(ifRev), ifRev, "a revision, 0 (must not exist) or -1 (unconditional)"),
    };

    private static ByteArrayContent Body(ReadOnlyMemory<byte> value)
    {
        var content = new ByteArrayContent(value.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    internal static WatchEvent ToEvent(long rev, string path, string kind, string? value) => kind switch
    {
        "set" => new WatchEvent(rev, path, WatchEventKind.Set, value is null ? [] : Convert.FromBase64String(value)),
        "del" => new WatchEvent(rev, path, WatchEventKind.Delete, []),
        _ => throw new DoozerException($"unknown event kind '{kind}' at rev {rev}"),
    };

    private sealed record Node(Uri Uri, HttpClient Http, IDoozerApi Api);
}
