namespace Doozer.Consensus.Messages;

/// <summary>Phase 2b: sent only after the acceptance is durable.</summary>
public sealed record Accepted(int From, int To, Ballot Ballot, long Slot) : Message(From, To);
