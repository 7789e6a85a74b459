namespace Doozer.Consensus.Messages;

/// <summary>
/// A message between replicas. Messages are immutable plain records so a versioned wire encoding can be added
/// without touching the core. The network may drop, duplicate, delay and reorder them; the core tolerates all four.
/// </summary>
public abstract record Message(int From, int To);
