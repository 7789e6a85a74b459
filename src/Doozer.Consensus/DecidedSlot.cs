namespace Doozer.Consensus;

/// <summary>A slot whose value is chosen: a quorum of the slot's voters accepted it in one ballot.</summary>
public readonly record struct DecidedSlot(long Slot, SlotValue Value);
