namespace Doozer.Consensus.Messages;

/// <summary>Phase 2a for one slot, with the leader's decided prefix piggybacked (<see cref="Commit"/>).</summary>
public sealed record Accept(int From, int To, Ballot Ballot, long Slot, SlotValue Value, long Commit) : Message(From, To);
