namespace Doozer.Consensus;

/// <summary>
/// The members of the cluster for a range of slots: voters (acceptors whose acceptances count) and learners
/// (receive decided slots, never vote, never start an election).
/// </summary>
public sealed class Configuration
{
    public Configuration(IEnumerable<int> voters, IEnumerable<int>? learners = null)
    {
        Voters = [.. voters.Distinct().Order()];
        Learners = [.. (learners ?? []).Distinct().Where(l => !Voters.Contains(l)).Order()];
        if (Voters.Length == 0)
            throw new ArgumentException("A configuration needs at least one voter.", nameof(voters));
    }

    public int[] Voters { get; }

    public int[] Learners { get; }

    /// <summary>Acceptances needed to decide: a strict majority of the voters, so any two quorums intersect.</summary>
    public int Quorum => Voters.Length / 2 + 1;

    public bool IsVoter(int node) => Array.IndexOf(Voters, node) >= 0;

    public bool IsMember(int node) => IsVoter(node) || Array.IndexOf(Learners, node) >= 0;

    /// <summary>How many voters are in <paramref name="nodes"/>; non-voters never count.</summary>
    public int CountVoters(HashSet<int> nodes)
    {
        var count = 0;
        foreach (var voter in Voters)
        {
            if (nodes.Contains(voter))
                count++;
        }
        return count;
    }

    public bool HasQuorum(HashSet<int> nodes) => CountVoters(nodes) >= Quorum;

    public bool SameMembers(Configuration other) =>
        Voters.AsSpan().SequenceEqual(other.Voters) && Learners.AsSpan().SequenceEqual(other.Learners);

    public override string ToString() =>
        "voters{" + string.Join(",", Voters.Select(v => "n" + v)) + "}" +
        (Learners.Length == 0 ? "" : " learners{" + string.Join(",", Learners.Select(v => "n" + v)) + "}");
}
