using System.CommandLine;

namespace Doozer.Server.Hosting;

/// <summary>
/// doozerd's flags (ARCHITECTURE.md section 4), parsed with System.CommandLine for real --help and clear errors,
/// then handed to ASP.NET Core as configuration so that environment variables and appsettings work the same way.
/// </summary>
public static class CommandLine
{
    private static readonly Option<string> NameOption = new("--name") { Description = "Human name of the node (default: the host name)." };
    private static readonly Option<string> ListenOption = new("--listen") { Description = "HOST:PORT of the public HTTP API, SSE and web view (default 127.0.0.1:8046)." };
    private static readonly Option<string> PeerListenOption = new("--peer-listen") { Description = "HOST:PORT of the peer channel, HTTP/2 (default 127.0.0.1:8047). Peer connections to other nodes leave from this host's address." };
    private static readonly Option<string> PeerAdvertiseOption = new("--peer-advertise") { Description = "The peer URL other nodes dial to reach this one (default http://PEER-LISTEN, https:// with --tls-cert), e.g. behind NAT or a proxy." };
    private static readonly Option<string> AdvertiseOption = new("--advertise") { Description = "The client URL registered for this node (default http://LISTEN, https:// with --tls-cert)." };
    private static readonly Option<bool> MemoryOption = new("--memory") { Description = "Keep nothing on disk (original doozer's behaviour): a restarted node comes back as a new node." };
    private static readonly Option<string> DataOption = new("--data") { Description = "Data directory: write-ahead log, snapshots and the node id (default ./doozer-data)." };
    private static readonly Option<string[]> AttachOption = new("--attach") { Description = "Join the cluster of this member (its client or peer URL); repeatable.", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<int?> SlotsOption = new("--slots") { Description = "Voter slots created when bootstrapping a new cluster (default 3)." };
    private static readonly Option<double?> EvictAfterOption = new("--evict-after") { Description = "Seconds after which an unheard voter loses its slot so a learner can take it (default 60, 0 = never)." };
    private static readonly Option<string> PeerSecretOption = new("--peer-secret") { Description = "Secret peers present to each other (default: the --secret)." };
    private static readonly Option<int?> HistoryOption = new("--history") { Description = "Revisions of history kept (default 100000)." };
    private static readonly Option<long?> SnapshotCountOption = new("--snapshot-count") { Description = "Slots applied between snapshots (default 100000); each snapshot truncates the log, and a peer too far behind is sent one. A snapshot is also cut after 64 MiB of commands." };
    private static readonly Option<int?> MaxValueBytesOption = new("--max-value-bytes") { Description = "Largest file value in bytes (default 1048576)." };
    private static readonly Option<string> ClusterOption = new("--cluster") { Description = "Cluster name (default local)." };
    private static readonly Option<string> SecretOption = new("--secret") { Description = "Read-write secret; requests must send 'Authorization: Bearer SECRET' (env DOOZER_RWSECRET)." };
    private static readonly Option<string> RoSecretOption = new("--ro-secret") { Description = "Read-only secret; needs --secret (env DOOZER_ROSECRET)." };
    private static readonly Option<string> TlsCertOption = new("--tls-cert") { Description = "PEM certificate (optionally followed by its CA chain): TLS for the API and the peer channel; needs --tls-key." };
    private static readonly Option<string> TlsKeyOption = new("--tls-key") { Description = "PEM private key of --tls-cert." };
    private static readonly Option<string> TlsCaOption = new("--tls-ca") { Description = "PEM CA certificates that peers' certificates must chain to (default: the CA certificates after the first one in --tls-cert)." };

    /// <summary>
    /// Parses the flags. Returns the configuration they set and the arguments left for ASP.NET Core,
    /// or an exit code when the process should stop here (--help, or a usage error already printed).
    /// </summary>
    public static (Dictionary<string, string?> Settings, string[] Remaining, int? ExitCode) Parse(string[] args)
    {
        var root = new RootCommand(
            "doozerd: a node of Doozer, a consistent, highly-available store for small amounts of critical data.\n" +
            "Start one node to create a cluster; start more with --attach URL-OF-A-MEMBER to join it.")
        {
            NameOption, ListenOption, PeerListenOption, PeerAdvertiseOption, AdvertiseOption, MemoryOption, DataOption, AttachOption,
            SlotsOption, EvictAfterOption, HistoryOption, SnapshotCountOption, MaxValueBytesOption, ClusterOption, SecretOption, RoSecretOption, PeerSecretOption,
            TlsCertOption, TlsKeyOption, TlsCaOption,
        };
        // Hosting tools (WebApplicationFactory, the build-time OpenAPI generator) pass their own --key=value
        // arguments: those go on to ASP.NET Core's configuration; anything else unknown is a usage error.
        root.TreatUnmatchedTokensAsErrors = false;

        var result = root.Parse(args);
        foreach (var token in result.UnmatchedTokens)
        {
            if (!IsHostingArgument(token))
            {
                Console.Error.WriteLine($"doozerd: unknown argument '{token}'. See doozerd --help.");
                return ([], [], 2);
            }
        }
        // The root command has no action of its own: any action here is --help, --version or a usage error report.
        if (result.Action is not null)
        {
            var code = result.Invoke();
            return ([], [], result.Errors.Count > 0 ? 2 : code);
        }

        var settings = new Dictionary<string, string?>();
        void Set<T>(Option<T> option, string key)
        {
            if (result.GetResult(option) is { Implicit: false })
                settings[$"{NodeOptions.Section}:{key}"] = Convert.ToString(result.GetValue(option), System.Globalization.CultureInfo.InvariantCulture);
        }
        Set(NameOption, nameof(NodeOptions.Name));
        Set(ListenOption, nameof(NodeOptions.Listen));
        Set(PeerListenOption, nameof(NodeOptions.PeerListen));
        Set(PeerAdvertiseOption, nameof(NodeOptions.PeerAdvertise));
        Set(AdvertiseOption, nameof(NodeOptions.Advertise));
        Set(MemoryOption, nameof(NodeOptions.Memory));
        Set(DataOption, nameof(NodeOptions.Data));
        Set(SlotsOption, nameof(NodeOptions.Slots));
        Set(EvictAfterOption, nameof(NodeOptions.EvictAfter));
        Set(PeerSecretOption, nameof(NodeOptions.PeerSecret));
        if (result.GetValue(AttachOption) is { Length: > 0 } attach)
        {
            for (var i = 0; i < attach.Length; i++)
                settings[$"{NodeOptions.Section}:{nameof(NodeOptions.Attach)}:{i}"] = attach[i];
        }
        Set(HistoryOption, nameof(NodeOptions.History));
        Set(SnapshotCountOption, nameof(NodeOptions.SnapshotCount));
        Set(MaxValueBytesOption, nameof(NodeOptions.MaxValueBytes));
        Set(ClusterOption, nameof(NodeOptions.Cluster));
        Set(SecretOption, nameof(NodeOptions.Secret));
        Set(RoSecretOption, nameof(NodeOptions.RoSecret));
        Set(TlsCertOption, nameof(NodeOptions.TlsCert));
        Set(TlsKeyOption, nameof(NodeOptions.TlsKey));
        Set(TlsCaOption, nameof(NodeOptions.TlsCa));
        return (settings, [.. result.UnmatchedTokens], null);
    }

    // What WebApplicationFactory and the build-time OpenAPI generator pass to the entry point: host settings, and
    // settings of the node's own configuration section in --key=value form.
    private static readonly string[] HostingKeys = ["--environment=", "--contentRoot=", "--applicationName=", "--urls=", $"--{NodeOptions.Section}:", $"--{NodeOptions.Section}="];

    private static bool IsHostingArgument(string token)
    {
        foreach (var key in HostingKeys)
        {
            if (token.StartsWith(key, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}
