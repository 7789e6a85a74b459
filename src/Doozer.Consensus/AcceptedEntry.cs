namespace Doozer.Consensus;

/// <summary>An acceptor's vote: it accepted <see cref="Value"/> for <see cref="Slot"/> in <see cref="Ballot"/>.</summary>
public readonly record struct AcceptedEntry(long Slot, Ballot Ballot, SlotValue Value);
