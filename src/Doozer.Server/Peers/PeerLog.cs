using System.Net;

namespace Doozer.Server.Peers;

internal static partial class PeerLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a peer request to {Path} from {Remote}: {Reason}")]
    public static partial void Rejected(ILogger logger, string path, IPAddress? remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer stream from {Remote} sent a malformed frame; closing it")]
    public static partial void Malformed(ILogger logger, IPAddress? remote, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Peer stream from {Remote} ended")]
    public static partial void InboundEnded(ILogger logger, IPAddress? remote, Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer link to node {Node} at {Address} is up")]
    public static partial void Connected(ILogger logger, int node, Uri address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer link to node {Node} at {Address} is down; reconnecting")]
    public static partial void Disconnected(ILogger logger, int node, Uri address, Exception? exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Peer link to node {Node} at {Address} failed to connect")]
    public static partial void ConnectFailed(ILogger logger, int node, Uri address, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Node {Node} at {Address} refused our peer secret ({Status}); check --peer-secret")]
    public static partial void RefusedByPeer(ILogger logger, int node, Uri address, HttpStatusCode status);
}
