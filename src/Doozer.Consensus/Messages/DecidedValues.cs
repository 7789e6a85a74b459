namespace Doozer.Consensus.Messages;

/// <summary>Decided values of consecutive slots from <see cref="FirstSlot"/>.</summary>
public sealed record DecidedValues(int From, int To, long FirstSlot, SlotValue[] Values) : Message(From, To);
