namespace Doozer.Consensus.Messages;

/// <summary>The sender has discarded the slots the receiver needs: install its snapshot of <see cref="Slot"/>.</summary>
public sealed record SnapshotAvailable(int From, int To, long Slot) : Message(From, To);
