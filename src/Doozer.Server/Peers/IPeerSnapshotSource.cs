namespace Doozer.Server.Peers;

/// <summary>What the node driver implements so peers can fetch its snapshots over the peer channel.</summary>
public interface IPeerSnapshotSource
{
    /// <summary>
    /// A readable stream of the snapshot taken at <paramref name="slot"/>, or null if this node does not hold it
    /// (the peer gets 404 and asks again after the next SnapshotAvailable). The channel disposes the stream.
    /// </summary>
    ValueTask<Stream?> OpenSnapshotAsync(long slot, CancellationToken cancellationToken);
}
