namespace Doozer.Consensus.Messages;

/// <summary>
/// Answer to a heartbeat. <see cref="HoldsPromise"/> says the acceptor still promises exactly that ballot, which is
/// what a read-index round needs. <see cref="Commit"/> lets the leader see a follower that needs a snapshot.
/// </summary>
public sealed record HeartbeatAck(int From, int To, Ballot Ballot, long ReadRound, bool HoldsPromise, long Commit) : Message(From, To);
