namespace Doozer.Consensus.Messages;

/// <summary>
/// Phase 1b: the acceptor promised <see cref="Ballot"/> and reports what it accepted from <see cref="FirstSlot"/>
/// on, plus the values it knows are decided there. If <see cref="SnapshotSlot"/> is at or above FirstSlot it has
/// discarded slots the proposer still lacks, and the proposer must catch up before it may lead.
/// </summary>
public sealed record Promise(
    int From,
    int To,
    Ballot Ballot,
    long FirstSlot,
    AcceptedEntry[] Accepted,
    DecidedSlot[] Decided,
    long SnapshotSlot) : Message(From, To);
