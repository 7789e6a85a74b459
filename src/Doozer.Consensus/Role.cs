namespace Doozer.Consensus;

public enum Role
{
    Follower,
    Candidate,
    Leader,
}
