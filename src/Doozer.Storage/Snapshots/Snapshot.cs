namespace Doozer.Storage.Snapshots;

/// <summary>
/// A durable snapshot: opaque bytes that reflect every WAL record up to and including <see cref="Index"/>.
/// Replay after loading it starts at WAL index <see cref="Index"/> + 1.
/// </summary>
public sealed record Snapshot(long Index, ReadOnlyMemory<byte> Data);
