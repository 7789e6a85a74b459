using Doozer.Consensus;

namespace Doozer.Server.Replication;

/// <summary>
/// Where a node's log begins (ARCHITECTURE.md 4): the state of its previous run (restart), or a configuration
/// history to start from, either its own (bootstrap: itself as the only voter) or the one a member gave it (attach),
/// with the peers to dial before the tree names them.
/// </summary>
public sealed record StartingPoint(
    RecoveredState? Recovered,
    IReadOnlyList<ConfigurationChange> Configurations,
    IReadOnlyList<KeyValuePair<int, Uri>> Peers,
    bool Bootstrap);

/// <summary>Decides the <see cref="StartingPoint"/>; attaching may take a while (the member may be electing).</summary>
public interface IStartingPointSource
{
    Task<StartingPoint> GetAsync(CancellationToken cancellationToken);
}
