namespace Doozer.Storage.Wal;

/// <summary>
/// One opaque record to append: a type tag chosen by the caller (1-255; 0 is reserved so that a zeroed region of a
/// file never parses as a record) and its payload. The WAL assigns the index.
/// </summary>
/// <remarks>The payload memory must stay unchanged until the append that carries it has completed.</remarks>
public readonly record struct WalRecord(byte Type, ReadOnlyMemory<byte> Payload);
