namespace Doozer.Consensus.Messages;

/// <summary>
/// The leader is alive; slots up to <see cref="Commit"/> are decided. <see cref="ReadRound"/> numbers the quorum
/// round that confirms leadership for read-index requests.
/// </summary>
public sealed record Heartbeat(int From, int To, Ballot Ballot, long Commit, long ReadRound) : Message(From, To);
