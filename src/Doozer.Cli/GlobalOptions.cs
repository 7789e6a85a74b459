using System.CommandLine;
using Doozer.Client;

namespace Doozer.Cli;

/// <summary>The options every command takes: where the cluster is, which revision, how long to wait, the secret.</summary>
internal sealed class GlobalOptions
{
    public Option<string[]> Address { get; } = new("-a", "--address")
    {
        Description = "A node URL; repeat for several (default: DOOZER_URI, one URL or a comma-separated list, else http://127.0.0.1:8046).",
        Recursive = true,
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<long?> Rev { get; } = new("-r", "--rev")
    {
        Description = "Read at this revision (get, stat, find), or start from it (wait, watch).",
        Recursive = true,
    };

    public Option<double?> Timeout { get; } = new("-t", "--timeout")
    {
        Description = "Seconds 'wait' waits before giving up (default: forever).",
        Recursive = true,
    };

    public Option<string> Secret { get; } = new("--secret")
    {
        Description = "The secret, sent as a bearer token (default: DOOZER_SECRET).",
        Recursive = true,
    };

    public IEnumerable<Option> All => [Address, Rev, Timeout, Secret];

    /// <summary>The client options: -a, else DOOZER_URI, else the default node; --secret, else DOOZER_SECRET.</summary>
    public DoozerClientOptions ClientOptions(ParseResult result)
    {
        var options = new DoozerClientOptions();
        var addresses = result.GetValue(Address);
        var list = addresses is { Length: > 0 }
            ? string.Join(',', addresses)
            : Environment.GetEnvironmentVariable("DOOZER_URI");
        if (!string.IsNullOrWhiteSpace(list))
        {
            foreach (var node in DoozerClientOptions.ParseNodes(list))
                options.Nodes.Add(node);
        }
        options.Secret = result.GetValue(Secret) ?? Environment.GetEnvironmentVariable("DOOZER_SECRET");
        return options;
    }
}
