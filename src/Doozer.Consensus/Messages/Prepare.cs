namespace Doozer.Consensus.Messages;

/// <summary>Phase 1a, for every slot from <see cref="FirstSlot"/> on (Multi-Paxos runs phase 1 once for all slots).</summary>
public sealed record Prepare(int From, int To, Ballot Ballot, long FirstSlot) : Message(From, To);
