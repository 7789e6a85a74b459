namespace Doozer.Consensus.Messages;

/// <summary>Phase 1a, for every slot from <see cref="FirstSlot"/> on (Multi-Paxos runs phase 1 once for all slots).</summary>
public sealed record Prepare(int From, int To, Ballot Ballot, long FirstSlot) : Message(From, To)
{
    /// <summary>
    /// The candidate's own acceptances from <see cref="FirstSlot"/> on, without values: the promise leaves out every
    /// acceptance listed here (the same ballot in a slot is the same value, and the candidate counts its own). After a
    /// restart of every node nobody knows which slots above the snapshot were decided, and promises that carried them
    /// all (tens of MiB each) took longer to send and read than an election timeout: no leader was ever elected.
    /// </summary>
    public BallotRun[] Holding { get; init; } = [];
}
