namespace Doozer.Client;

/// <summary>How a <see cref="DoozerClient"/> reaches the cluster.</summary>
public sealed class DoozerClientOptions
{
    /// <summary>The default node URL, as original doozer's: <c>http://127.0.0.1:8046</c>.</summary>
    public static readonly Uri DefaultNode = new("http://127.0.0.1:8046");

    /// <summary>The nodes to use, in order of preference. A node that fails a request is skipped for the next one.</summary>
    public IList<Uri> Nodes { get; } = [];

    /// <summary>The secret, sent as <c>Authorization: Bearer</c> on every request; null for an open node.</summary>
    public string? Secret { get; set; }

    /// <summary>How long one request to one node may take before the next node is tried (long polls and watches excepted).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first pause before a watch reconnects after every node failed once; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between two reconnection attempts of a watch.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many connection attempts in a row a watch may fail before it gives up with a <see cref="DoozerUnavailableException"/>;
    /// null (the default) keeps trying, as an <c>EventSource</c> does.
    /// </summary>
    public int? MaxReconnectAttempts { get; set; }

    /// <summary>Seconds between the progress events a quiet watch stream receives; null for the server's default (15 s).</summary>
    public double? WatchProgressSeconds { get; set; }

    /// <summary>
    /// Parses a node list as <c>DOOZER_URI</c> holds it: one URL or several separated by commas.
    /// </summary>
    /// <param name="uris">For example <c>http://a:8046,http://b:8046</c>.</param>
    /// <returns>The URLs, in order.</returns>
    /// <exception cref="FormatException">An entry is not an absolute http or https URL.</exception>
    public static IReadOnlyList<Uri> ParseNodes(string uris)
    {
        ArgumentNullException.ThrowIfNull(uris);
        var nodes = new List<Uri>();
        foreach (var part in uris.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new FormatException($"not an http or https URL: {part}");
            nodes.Add(uri);
        }
        return nodes;
    }
}
