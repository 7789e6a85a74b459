namespace Doozer.Consensus;

/// <summary>
/// A linearizable read may be served once the caller has applied <see cref="Index"/>: every slot decided before the
/// read was requested is at or below it.
/// </summary>
public readonly record struct ReadGrant(long ReadId, long Index);
