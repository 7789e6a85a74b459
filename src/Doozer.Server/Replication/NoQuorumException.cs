namespace Doozer.Server.Replication;

/// <summary>
/// The cluster could not decide in time: no leader is reachable, or a majority of voters is not. Answered as
/// <c>503 no-quorum</c> with <c>Retry-After</c> (API.md 3.1). When <see cref="OutcomeUnknown"/> the write was handed
/// to a leader and may still commit: the answer says so rather than claiming it failed (API.md 5).
/// </summary>
public sealed class NoQuorumException(string message, bool outcomeUnknown) : Exception(message)
{
    public bool OutcomeUnknown { get; } = outcomeUnknown;
}
