namespace Doozer.Consensus.Messages;

/// <summary>A Prepare, Accept or Heartbeat of <see cref="Ballot"/> lost to the higher ballot <see cref="Promised"/>.</summary>
public sealed record Rejected(int From, int To, Ballot Ballot, Ballot Promised) : Message(From, To);
