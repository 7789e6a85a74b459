namespace Doozer.Storage.Wal;

/// <summary>A record read back from the log, with the index the WAL gave it when it was appended.</summary>
public readonly record struct WalEntry(long Index, byte Type, ReadOnlyMemory<byte> Payload);
