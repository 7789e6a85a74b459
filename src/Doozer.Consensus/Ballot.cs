namespace Doozer.Consensus;

/// <summary>
/// A Paxos ballot: (round, node id), totally ordered by round then node id. Two proposers never share a ballot
/// because the node id breaks ties, and one proposer never reuses a round because the highest ballot it promised
/// is persisted before any message of a new ballot leaves the node.
/// </summary>
public readonly record struct Ballot(long Round, int NodeId) : IComparable<Ballot>
{
    /// <summary>The ballot below every real ballot: nothing promised yet.</summary>
    public static Ballot Zero => default;

    public bool IsZero => Round == 0 && NodeId == 0;

    public int CompareTo(Ballot other)
    {
        var byRound = Round.CompareTo(other.Round);
        return byRound != 0 ? byRound : NodeId.CompareTo(other.NodeId);
    }

    public static bool operator <(Ballot left, Ballot right) => left.CompareTo(right) < 0;

    public static bool operator >(Ballot left, Ballot right) => left.CompareTo(right) > 0;

    public static bool operator <=(Ballot left, Ballot right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Ballot left, Ballot right) => left.CompareTo(right) >= 0;

    public static Ballot Max(Ballot left, Ballot right) => left >= right ? left : right;

    public override string ToString() => $"({Round},n{NodeId})";
}
