namespace Doozer.Server.Peers;

/// <summary>Settings of the peer channel; the defaults suit a cluster on one LAN.</summary>
public sealed class PeerChannelOptions
{
    /// <summary>The cluster secret every peer request carries (API.md section 6). Null: the cluster is open.</summary>
    public string? PeerSecret { get; init; }

    /// <summary>
    /// Messages queued per outbound peer. When full the oldest queued message is dropped: consensus tolerates loss,
    /// the newest messages carry the freshest ballot and commit index, and a peer that lagged is caught up by the
    /// protocol (FetchDecided, snapshots) rather than by an ever-growing buffer.
    /// </summary>
    public int SendQueueCapacity { get; init; } = 8192;

    /// <summary>
    /// Received messages waiting for the node driver. When full, reading from the peers' streams pauses, and HTTP/2
    /// flow control pushes the back-pressure to the senders' queues (where the drop-oldest policy applies).
    /// </summary>
    public int ReceiveQueueCapacity { get; init; } = 8192;

    /// <summary>
    /// Largest frame accepted; a peer announcing more is cut off. The same bound as the codec's: a promise to a candidate
    /// that lacks them carries every acceptance above the snapshot, which can pass 64 MiB (a snapshot is cut after 64 MiB
    /// of commands, and more arrive while it is written). A smaller limit cut such a promise off at every election.
    /// </summary>
    public int MaxFrameBytes { get; init; } = Doozer.Consensus.Wire.MessageCodec.MaxMessageBytes;

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>HTTP/2 PING interval and timeout: how fast a silent (stopped, partitioned) peer's connection is declared dead.</summary>
    public TimeSpan KeepAlivePing { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The local address outbound peer connections leave from (the node's --peer-listen address), so that a peer,
    /// a firewall or a fault-injecting proxy can tell nodes apart by source address. Null: the system's choice.
    /// </summary>
    public System.Net.IPAddress? SourceAddress { get; init; }

    /// <summary>
    /// TLS for https peer URLs: the certificate this node presents and how it checks the peer's. Null: the system's
    /// defaults (no client certificate, the system's roots).
    /// </summary>
    public System.Net.Security.SslClientAuthenticationOptions? Tls { get; init; }
}
