using Doozer.Contracts;
using Doozer.Server.Api;
using Doozer.Server.Peers;
using Doozer.Storage;
using Doozer.Server.Replication;
using Doozer.Server.Security;
using Doozer.Server.Watches;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Prometheus;

namespace Doozer.Server.Hosting;

/// <summary>How a doozerd process is put together: its services, its middleware and its endpoints.</summary>
public static class NodeHost
{
    /// <summary>Reads the node's settings and registers its services. Returns the settings' first problem, if any.</summary>
    public static string? AddDoozerNode(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        // API.md section 6 names these environment variables for the secrets.
        config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{NodeOptions.Section}:{nameof(NodeOptions.Secret)}"] = config[$"{NodeOptions.Section}:{nameof(NodeOptions.Secret)}"] ?? Environment.GetEnvironmentVariable("DOOZER_RWSECRET"),
            [$"{NodeOptions.Section}:{nameof(NodeOptions.RoSecret)}"] = config[$"{NodeOptions.Section}:{nameof(NodeOptions.RoSecret)}"] ?? Environment.GetEnvironmentVariable("DOOZER_ROSECRET"),
        });
        // The build-time OpenAPI generator runs the app to read its endpoints: it must not touch a data directory.
        if (IsDocumentGenerator)
            config.AddInMemoryCollection(new Dictionary<string, string?> { [$"{NodeOptions.Section}:{nameof(NodeOptions.Memory)}"] = "true" });
        var options = config.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        if (options.Validate() is { } problem)
            return problem;
        ListenAddress.TryParse(options.Listen, out var listen);
        ListenAddress.TryParse(options.PeerListen, out var peerListen);

        // A certificate that cannot be read is a usage error, found before anything is opened.
        NodeTls? tls = null;
        if (options.TlsCert is not null)
        {
            (tls, problem) = NodeTls.Load(options.TlsCert, options.TlsKey!, options.TlsCa);
            if (problem is not null)
                return problem;
        }

        // The data directory first: a node that cannot own its data must not start at all.
        IReplicaStorage storage;
        string id;
        if (options.Memory)
        {
            storage = new MemoryStorage();
            id = NodeIdentity.NewId();
        }
        else
        {
            try
            {
                var directory = DataDirectory.Open(options.Data);
                id = directory.GetOrCreateNodeId(NodeIdentity.NewId);
                storage = new DiskStorage(directory);
            }
            catch (DataDirectoryLockedException e)
            {
                return $"the data directory {e.Directory} is in use by another doozerd (it holds the lock on {DataDirectory.LockFileName}).";
            }
            catch (StorageCorruptException e)
            {
                return $"refusing to start on damaged data: {e.Message}";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"cannot open the data directory {options.Data}: {e.Message}";
            }
        }
        var listeners = new NodeListeners(listen!, peerListen!, tls);
        var identity = new NodeIdentity(id, options.Name)
        {
            Url = options.Advertise ?? listeners.ClientUrl,
            PeerUrl = options.PeerAdvertise ?? listeners.PeerUrl,
        };

        var services = builder.Services;
        services.Configure<NodeOptions>(config.GetSection(NodeOptions.Section));
        // Kestrel is configured as the host creates the server, before any hosted service starts: the node binds its
        // listeners here, so a port 0 is known (and registered in /ctl) before the log and the bootstrap run.
        // An in-memory test server never configures Kestrel, and keeps the addresses as given.
        services.AddOptions<KestrelServerOptions>().Configure<ILoggerFactory>((kestrel, loggers) =>
        {
            listeners.Listen(kestrel, loggers.CreateLogger<NodeTls>());
            identity.Url = options.Advertise ?? listeners.ClientUrl;
            identity.PeerUrl = options.PeerAdvertise ?? listeners.PeerUrl;
            // Request bodies are file values: Body.ReadAsync stops at --max-value-bytes and answers 413 itself.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        services.Configure<SocketTransportOptions>(sockets => sockets.CreateBoundListenSocket = listeners.TakeSocket);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(identity);
        services.AddSingleton(listeners);
        // Registered through a factory so the container disposes it (closing the log and the directory lock) last.
        services.AddSingleton<IReplicaStorage>(_ => storage);
        services.AddSingleton(sp => new AppliedTree(sp.GetRequiredService<IOptions<NodeOptions>>().Value.History));
        services.AddSingleton(new ClusterLogOptions { SnapshotSlots = options.SnapshotCount });
        services.AddSingleton(sp => new PeerChannel(
            new PeerChannelOptions
            {
                PeerSecret = options.PeerSecret ?? options.Secret,
                SourceAddress = peerListen!.SpecificAddress,
                Tls = tls?.DialPeers(sp.GetRequiredService<ILogger<NodeTls>>()),
            },
            sp.GetRequiredService<ILoggerFactory>(),
            new DeferredSnapshotSource(() => sp.GetRequiredService<ClusterLog>())));
        services.AddSingleton<IStartingPointSource, ClusterStart>();
        // The log is the apply loop: it must be registered (and so started) before the services that use it.
        services.AddSingleton<ClusterLog>();
        services.AddSingleton<IReplicatedLog>(sp => sp.GetRequiredService<ClusterLog>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterLog>());
        services.AddSingleton<ClusterBootstrap>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterBootstrap>());
        services.AddHostedService<MembershipDuties>();
        services.AddSingleton<Access>();
        services.AddSingleton<Reads>();
        services.AddSingleton<WatchHub>();
        services.AddSingleton<NodeMetrics>();

        services.Configure<JsonOptions>(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, DoozerJsonContext.Default));
        // Malformed query values become a 400 problem (ProblemStatusPages), never an exception page.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddProblemDetails();
        services.AddOpenApi("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Doozer";
            // Every node serves the same API: the document names no server, so it is the same wherever it is fetched.
            document.Servers?.Clear();
            document.Info.Description = "A consistent, highly-available store for small amounts of critical data: a tree of files with revisions, compare-and-set, and watches.";
            // API.md section 6: with --secret, requests carry it as a bearer token (or ?access_token= for EventSource).
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The node's --secret (read-write) or --ro-secret (read-only); not needed when the node has none.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
            return Task.CompletedTask;
        }));
        return null;
    }

    public static WebApplication UseDoozerNode(this WebApplication app)
    {
        // The peer listener serves the peer channel and nothing else; the client listener never serves it.
        var listeners = app.Services.GetRequiredService<NodeListeners>();
        app.Use((http, next) =>
        {
            if (listeners.IsPeerConnection(http.Connection) != http.Request.Path.StartsWithSegments(PeerRoutes.Prefix))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(http);
        });
        app.UseStatusCodePages(ProblemStatusPages.WriteAsync);
        // Whatever endpoint waited on the log: no quorum is 503 with Retry-After (API.md 3.1), never a hang or a 500.
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (NoQuorumException e) when (!http.Response.HasStarted)
            {
                http.Response.Clear();
                http.Response.Headers.RetryAfter = "1";
                await Problem.Of(ProblemKind.NoQuorum, e.Message, extension: ("outcome", e.OutcomeUnknown ? "unknown" : "not-applied")).ExecuteAsync(http);
            }
        });
        app.UseHttpMetrics(o =>
        {
            o.SetMetricFactory(Prometheus.Metrics.WithCustomRegistry(app.Services.GetRequiredService<NodeMetrics>().Registry));
            // The duration histogram's _count already counts requests: the in-progress gauge and the separate counter
            // cost a middleware each on every request (bench/RESULTS.md, profile) and add nothing.
            o.InProgress.Enabled = false;
            o.RequestCount.Enabled = false;
        });
        // The web view (wwwroot): static files at "/", served before the endpoints and without the secret (API.md 6).
        // Only for paths that can be files of the page, so API requests do not pay for a file lookup each.
        app.UseWhen(http => IsWebViewPath(http.Request.Path), web =>
        {
            web.UseDefaultFiles();
            web.UseStaticFiles();
        });
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/swagger"), swagger => swagger.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "swagger";
            ui.SwaggerEndpoint("/openapi/v1.json", "Doozer v1");
        }));
        app.MapTree();
        app.MapWalk();
        app.MapWatches();
        app.MapNode();
        app.MapCluster();
        app.MapOperations();
        app.MapNodeMetrics();
        var peers = app.Services.GetRequiredService<PeerChannel>();
        peers.MapPeerEndpoint(app).MapPost(PeerRoutes.JoinRoute, (HttpContext http, ClusterLog log, IOptions<NodeOptions> options) =>
            peers.Authorized(http) ? JoinEndpoint.HandleAsync(http, log, options) : Task.CompletedTask);
        return app;
    }

    private static bool IsDocumentGenerator =>
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    /// <summary>Resolves the log when a peer first asks for a snapshot: the log and the channel need each other.</summary>
    private sealed class DeferredSnapshotSource(Func<IPeerSnapshotSource> resolve) : IPeerSnapshotSource
    {
        public ValueTask<Stream?> OpenSnapshotAsync(long slot, CancellationToken cancellationToken) =>
            resolve().OpenSnapshotAsync(slot, cancellationToken);
    }

    private static bool IsWebViewPath(PathString path) =>
        path == "/" || !path.StartsWithSegments("/tree") && Path.HasExtension(path.Value);
}
