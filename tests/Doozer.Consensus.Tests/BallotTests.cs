namespace Doozer.Consensus.Tests;

public sealed class BallotTests
{
    [Fact]
    public void Ballots_order_by_round_then_node_id()
    {
        Assert.True(new Ballot(1, 9) < new Ballot(2, 1));
        Assert.True(new Ballot(2, 1) < new Ballot(2, 3));
        Assert.True(Ballot.Zero < new Ballot(1, 1));
        Assert.Equal(new Ballot(2, 3), Ballot.Max(new Ballot(2, 3), new Ballot(2, 1)));
    }

    [Fact]
    public void A_quorum_is_a_strict_majority_of_voters_and_learners_never_count()
    {
        var configuration = new Configuration([1, 2, 3, 4], [5, 6]);
        Assert.Equal(3, configuration.Quorum);
        Assert.False(configuration.HasQuorum([1, 5, 6]));
        Assert.True(configuration.HasQuorum([1, 2, 4]));
    }
}
