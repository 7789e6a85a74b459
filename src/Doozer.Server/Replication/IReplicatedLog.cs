using Doozer.Store.Commands;
using Doozer.Store.Tree;

namespace Doozer.Server.Replication;

/// <summary>
/// The seam between the API and agreement. The API never writes the store: it hands a command to the log and awaits
/// the result of applying it, once it is decided and every command before it has been applied.
/// The single-node log decides at once; the Multi-Paxos log replaces it without the API changing.
/// </summary>
public interface IReplicatedLog
{
    /// <summary>Decides <paramref name="command"/>, applies it in order and returns its result.</summary>
    /// <exception cref="OperationCanceledException">The caller gave up; the command may still be applied.</exception>
    ValueTask<ApplyResult> ProposeAsync(Command command, CancellationToken cancellationToken);

    /// <summary>
    /// Completes once this node has applied every write that completed anywhere before the call: after it, a local
    /// read is linearizable. A single node has applied every completed write already; a cluster asks the leader for
    /// a read index confirmed by a quorum.
    /// </summary>
    ValueTask ReadBarrierAsync(CancellationToken cancellationToken);

    /// <summary>True when the log can decide commands now (a leader is known and reachable).</summary>
    bool IsReady { get; }

    /// <summary>The id of the node that currently leads, or null when none is known.</summary>
    string? LeaderId { get; }
}
