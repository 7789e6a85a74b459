namespace Doozer.Server.Hosting;

/// <summary>
/// A node's settings (ARCHITECTURE.md section 4). Bound from the "Doozer" configuration section, which the command
/// line, environment variables (Doozer__History=...) and appsettings all feed.
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "Doozer";

    /// <summary>Human name of the node; defaults to the host name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>HOST:PORT of the public API, SSE and web view.</summary>
    public string Listen { get; set; } = "127.0.0.1:8046";

    /// <summary>HOST:PORT of the peer channel (HTTP/2). Outbound peer connections leave from this host's address too.</summary>
    public string PeerListen { get; set; } = "127.0.0.1:8047";

    /// <summary>The peer URL registered for this node (what the others dial); default <see cref="Scheme"/>://PEER-LISTEN.</summary>
    public string? PeerAdvertise { get; set; }

    /// <summary>The client URL registered for this node; default <see cref="Scheme"/>://LISTEN.</summary>
    public string? Advertise { get; set; }

    /// <summary>Keep nothing on disk (original doozer's behaviour): a restart is a new node.</summary>
    public bool Memory { get; set; }

    /// <summary>Data directory: write-ahead log, snapshots and the node id.</summary>
    public string Data { get; set; } = "./doozer-data";

    /// <summary>Client or peer URLs of members of the cluster to join.</summary>
    public string[] Attach { get; set; } = [];

    /// <summary>Voter slots created when this node bootstraps a new cluster.</summary>
    public int Slots { get; set; } = 3;

    /// <summary>A voter unheard for this many seconds loses its slot (0: never).</summary>
    public double EvictAfter { get; set; } = 60;

    /// <summary>The secret peers present to each other; default: <see cref="Secret"/>.</summary>
    public string? PeerSecret { get; set; }

    /// <summary>Revisions of history kept for reads at a revision, walks and watch resumes.</summary>
    public int History { get; set; } = 100_000;

    /// <summary>Slots applied between snapshots (etcd's --snapshot-count); each snapshot truncates the log.</summary>
    public long SnapshotCount { get; set; } = new Replication.ClusterLogOptions().SnapshotSlots;

    /// <summary>Largest file value in bytes.</summary>
    public int MaxValueBytes { get; set; } = 1_048_576;

    /// <summary>Cluster name written to /ctl/name on bootstrap.</summary>
    public string Cluster { get; set; } = "local";

    /// <summary>Read-write secret (also DOOZER_RWSECRET); null leaves the node open.</summary>
    public string? Secret { get; set; }

    /// <summary>Read-only secret (also DOOZER_ROSECRET); needs <see cref="Secret"/>.</summary>
    public string? RoSecret { get; set; }

    /// <summary>PEM certificate of the node, optionally followed by its CA chain; with <see cref="TlsKey"/>, TLS on both listeners.</summary>
    public string? TlsCert { get; set; }

    /// <summary>PEM private key of <see cref="TlsCert"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>PEM CA certificates that peers' certificates must chain to; default: the CA chain in <see cref="TlsCert"/>.</summary>
    public string? TlsCa { get; set; }

    /// <summary>What both listeners speak, so what every URL of this node and of its peers starts with.</summary>
    public string Scheme => TlsCert is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;

    /// <summary>Returns the first problem with these settings, or null when they are usable.</summary>
    public string? Validate()
    {
        if (!Memory && string.IsNullOrWhiteSpace(Data))
            return "--data must name a directory (or use --memory).";
        if (Slots < 1)
            return "--slots must be at least 1.";
        if (EvictAfter < 0 || double.IsNaN(EvictAfter))
            return "--evict-after must be 0 (never) or a number of seconds.";
        if (!ListenAddress.TryParse(PeerListen, out _))
            return $"--peer-listen must be HOST:PORT, got '{PeerListen}'.";
        if ((TlsCert is null) != (TlsKey is null))
            return "--tls-cert and --tls-key go together: give both (TLS) or neither (plain HTTP).";
        if (TlsCa is not null && TlsCert is null)
            return "--tls-ca needs --tls-cert and --tls-key: it says which peers to trust over TLS.";
        // Every node of a cluster speaks the same scheme: an http node cannot dial a TLS listener, nor the reverse.
        if (PeerAdvertise is not null && !HasScheme(PeerAdvertise))
            return $"--peer-advertise must be a {Scheme}:// URL{TlsReason}, got '{PeerAdvertise}'.";
        if (Advertise is not null && !HasScheme(Advertise))
            return $"--advertise must be a {Scheme}:// URL{TlsReason}, got '{Advertise}'.";
        foreach (var url in Attach)
        {
            if (!HasScheme(url))
                return $"--attach must be the {Scheme}:// URL of a member{TlsReason}, got '{url}'.";
        }
        if (History < 1)
            return "--history must be at least 1.";
        if (SnapshotCount < 1)
            return "--snapshot-count must be at least 1.";
        if (MaxValueBytes < 0)
            return "--max-value-bytes must not be negative.";
        if (RoSecret is not null && Secret is null)
            return "--ro-secret needs --secret: a read-only secret on an open node would protect nothing.";
        if (string.IsNullOrWhiteSpace(Name))
            return "--name must not be empty.";
        if (!ListenAddress.TryParse(Listen, out _))
            return $"--listen must be HOST:PORT, got '{Listen}'.";
        if (ListenAddress.TryParse(Listen, out var client) && ListenAddress.TryParse(PeerListen, out var peer) && client.Port != 0 && client.Port == peer.Port && client.Host == peer.Host)
            return "--listen and --peer-listen must be different addresses.";
        return null;
    }

    private bool HasScheme(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme == Scheme;

    private string TlsReason => TlsCert is null ? " (https needs --tls-cert and --tls-key)" : " (this node has --tls-cert)";
}
