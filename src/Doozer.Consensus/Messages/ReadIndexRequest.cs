namespace Doozer.Consensus.Messages;

/// <summary>Read-index requests forwarded by a non-leader, batched.</summary>
public sealed record ReadIndexRequest(int From, int To, long[] ReadIds) : Message(From, To);
