namespace Doozer.Consensus;

/// <summary>
/// One client command. The request id travels with the command through re-proposals after a leader change, so the
/// caller can apply each request id at most once (exactly-once is deduplication at apply; the core only carries it).
/// The payload is opaque to the core.
/// </summary>
public readonly record struct Command(long RequestId, ReadOnlyMemory<byte> Payload);
