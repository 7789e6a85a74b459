using Microsoft.Extensions.DependencyInjection;
using Refit;

namespace Doozer.Client;

/// <summary>Registers Doozer's clients with dependency injection, the way Refit.HttpClientFactory does.</summary>
public static class DoozerServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> both registered clients use.</summary>
    public const string HttpClientName = "Doozer";

    /// <summary>
    /// Registers <see cref="IDoozerApi"/> (a Refit client of the first node) and a singleton <see cref="DoozerClient"/>
    /// over every node, both on the named <see cref="HttpClient"/> <see cref="HttpClientName"/> with the secret sent as
    /// a bearer token.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the nodes (the default node when none), the secret and the timeouts.</param>
    /// <returns>The builder of the named HTTP client, to add handlers and policies that both clients then use.</returns>
    public static IHttpClientBuilder AddDoozerClient(this IServiceCollection services, Action<DoozerClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new DoozerClientOptions();
        configure(options);
        if (options.Nodes.Count == 0)
            options.Nodes.Add(DoozerClientOptions.DefaultNode);
        var nodes = options.Nodes.ToArray();
        var secret = options.Secret;
        services.AddSingleton(options);
        services.AddSingleton(provider =>
        {
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            return new DoozerClient(
                nodes.Select(node =>
                {
                    var http = factory.CreateClient(HttpClientName);
                    http.BaseAddress = node;
                    // Per-request budgets come from the options; watches and long polls must not be cut by HttpClient.
                    http.Timeout = Timeout.InfiniteTimeSpan;
                    return http;
                }),
                options);
        });
        return services
            .AddRefitGeneratedClient<IDoozerApi>(DoozerClient.RefitSettings, HttpClientName)
            .ConfigureHttpClient(http => http.BaseAddress = nodes[0])
            .AddHttpMessageHandler(() => new BearerTokenHandler(secret));
    }

    /// <summary>Registers the clients for the nodes of a <c>DOOZER_URI</c>-style list.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="uris">One URL or several separated by commas.</param>
    /// <param name="secret">The secret, or null for an open node.</param>
    /// <returns>The builder of the named HTTP client.</returns>
    public static IHttpClientBuilder AddDoozerClient(this IServiceCollection services, string uris, string? secret = null) =>
        services.AddDoozerClient(options =>
        {
            foreach (var node in DoozerClientOptions.ParseNodes(uris))
                options.Nodes.Add(node);
            options.Secret = secret;
        });
}
