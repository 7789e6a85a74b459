namespace Doozer.Consensus.Messages;

/// <summary>A follower lacks the decided values of slots <see cref="FirstSlot"/>..<see cref="LastSlot"/>.</summary>
public sealed record FetchDecided(int From, int To, long FirstSlot, long LastSlot) : Message(From, To);
