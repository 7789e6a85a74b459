using Doozer.Contracts;
using Doozer.Server.Api;
using Doozer.Server.Replication;
using Doozer.Server.Security;
using Doozer.Server.Watches;
using Microsoft.AspNetCore.Http.Json;
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
        var options = config.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        if (options.Validate() is { } problem)
            return problem;

        var services = builder.Services;
        services.Configure<NodeOptions>(config.GetSection(NodeOptions.Section));
        ListenAddress.TryParse(options.Listen, out var listen);
        builder.WebHost.UseUrls(listen!.Url);
        builder.WebHost.ConfigureKestrel(kestrel =>
            // Request bodies are file values: Body.ReadAsync stops at --max-value-bytes and answers 413 itself.
            kestrel.Limits.MaxRequestBodySize = null);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NodeIdentity.Create(options.Name, listen.Url));
        services.AddSingleton(sp => new AppliedTree(sp.GetRequiredService<IOptions<NodeOptions>>().Value.History));
        // The log is the apply loop: it must be registered (and so started) before the bootstrap that uses it.
        services.AddSingleton<SingleNodeLog>();
        services.AddSingleton<IReplicatedLog>(sp => sp.GetRequiredService<SingleNodeLog>());
        services.AddHostedService(sp => sp.GetRequiredService<SingleNodeLog>());
        services.AddSingleton<ClusterBootstrap>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterBootstrap>());
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
        app.UseStatusCodePages(ProblemStatusPages.WriteAsync);
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
        return app;
    }

    private static bool IsWebViewPath(PathString path) =>
        path == "/" || !path.StartsWithSegments("/tree") && Path.HasExtension(path.Value);
}
