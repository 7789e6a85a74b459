namespace Doozer.Consensus.Messages;

/// <summary>Commands proposed at a non-leader, forwarded to the leader it knows.</summary>
public sealed record ForwardedProposals(int From, int To, Command[] Commands) : Message(From, To);
