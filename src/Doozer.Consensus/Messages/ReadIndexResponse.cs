namespace Doozer.Consensus.Messages;

/// <summary>The leader confirmed the reads: the forwarding node may serve them once it has applied <see cref="Index"/>.</summary>
public sealed record ReadIndexResponse(int From, int To, long[] ReadIds, long Index) : Message(From, To);
