using System.Buffers;
using Doozer.Consensus;
using Doozer.Consensus.Wire;
using Doozer.Storage;
using Doozer.Storage.Wal;

namespace Doozer.Server.Replication;

/// <summary>What a node restarts from: its last snapshot (if any), the acceptor state with the log replayed over it, and
/// the peer addresses it last knew (its tree may be behind until it catches up, and catching up needs them).</summary>
public sealed record RecoveredState(NodeSnapshot? Snapshot, DurableState State, IReadOnlyList<KeyValuePair<int, Uri>> Peers);

/// <summary>
/// Where the node driver keeps what must survive a crash (ARCHITECTURE.md 3): promises, acceptances and the
/// configuration history in the write-ahead log, and snapshots that let the log be truncated.
/// </summary>
public interface IReplicaStorage : IAsyncDisposable
{
    /// <summary>True when every <see cref="PersistAsync"/> is durable before it completes (fsync).</summary>
    bool IsDurable { get; }

    /// <summary>The state left by the previous run, or null on a node's first start.</summary>
    RecoveredState? Recover();

    /// <summary>Persists a Ready's promise and acceptances (and the peer addresses, when they changed); completes once they are durable.</summary>
    ValueTask PersistAsync(Ready ready, IReadOnlyList<KeyValuePair<int, Uri>>? peers, CancellationToken cancellationToken);

    /// <summary>Persists the configuration history a new node starts with (before any slot is applied).</summary>
    ValueTask PersistConfigurationsAsync(IReadOnlyList<ConfigurationChange> history, CancellationToken cancellationToken);

    /// <summary>A position in the log: everything persisted so far is at or below it.</summary>
    long Position { get; }

    /// <summary>
    /// Stores <paramref name="snapshot"/>, which reflects everything persisted up to <paramref name="position"/>,
    /// then drops the log it makes redundant. Safe to run beside <see cref="PersistAsync"/>. The snapshot is streamed
    /// to storage as it is made, never held whole in memory.
    /// </summary>
    ValueTask SaveSnapshotAsync(NodeSnapshotWriter snapshot, long position, CancellationToken cancellationToken);
}

/// <summary><c>--memory</c>: nothing survives the process, as in original doozer. A restart is a new node.</summary>
public sealed class MemoryStorage : IReplicaStorage
{
    public bool IsDurable => false;

    public long Position => 0;

    public RecoveredState? Recover() => null;

    public ValueTask PersistAsync(Ready ready, IReadOnlyList<KeyValuePair<int, Uri>>? peers, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask PersistConfigurationsAsync(IReadOnlyList<ConfigurationChange> history, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask SaveSnapshotAsync(NodeSnapshotWriter snapshot, long position, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// <c>--data DIR</c>: the write-ahead log and snapshots of a <see cref="DataDirectory"/>. Record types: 1 a promised
/// ballot, 2 an accepted entry, 3 a configuration history, 4 the peer addresses; payloads in <see cref="DurableCodec"/>. A later record
/// supersedes an earlier one (a higher promise, a newer acceptance of the same slot).
/// </summary>
public sealed class DiskStorage(DataDirectory directory) : IReplicaStorage
{
    private const byte PromiseRecord = 1;
    private const byte AcceptedRecord = 2;
    private const byte ConfigurationsRecord = 3;
    private const byte PeersRecord = 4;

    public DataDirectory Directory { get; } = directory;

    public bool IsDurable => true;

    public long Position => Directory.Log.LastIndex;

    public RecoveredState? Recover()
    {
        var saved = Directory.Snapshots.LoadLatestSnapshot();
        NodeSnapshot? snapshot;
        try
        {
            snapshot = saved is null ? null : NodeSnapshot.FromBytes(saved.Data);
        }
        catch (FormatException e)
        {
            throw new StorageCorruptException(Directory.Snapshots.Directory, 0, $"the snapshot at log index {saved!.Index} does not decode: {e.Message}");
        }
        var log = Directory.Log;
        var from = Math.Max(log.FirstIndex, saved is null ? 1 : saved.Index + 1);
        if (snapshot is null && log.LastIndex < from)
            return null;

        var promised = snapshot?.State.Promised ?? Ballot.Zero;
        var slot = snapshot?.Slot ?? 0;
        var accepted = new SortedDictionary<long, AcceptedEntry>();
        foreach (var entry in snapshot?.State.Accepted ?? [])
            accepted[entry.Slot] = entry;
        var configurations = snapshot?.State.Configurations ?? [];
        IReadOnlyList<KeyValuePair<int, Uri>> peers = [];
        foreach (var record in log.ReadFrom(from))
        {
            try
            {
                switch (record.Type)
                {
                    case PromiseRecord:
                        promised = Ballot.Max(promised, DurableCodec.DecodeBallot(record.Payload.Span));
                        break;
                    case AcceptedRecord:
                        var entry = DurableCodec.DecodeAccepted(record.Payload.Span);
                        if (entry.Slot > slot)
                            accepted[entry.Slot] = entry;
                        break;
                    case ConfigurationsRecord:
                        configurations = DurableCodec.DecodeConfigurations(record.Payload.Span);
                        break;
                    case PeersRecord:
                        peers = DecodePeers(record.Payload.Span);
                        break;
                    default:
                        throw new FormatException($"unknown record type {record.Type}");
                }
            }
            catch (FormatException e)
            {
                throw new StorageCorruptException(log.Directory, record.Index, $"log record {record.Index} does not decode: {e.Message}");
            }
        }
        return new RecoveredState(snapshot, new DurableState(promised, [.. accepted.Values], slot, configurations), peers);
    }

    public async ValueTask PersistAsync(Ready ready, IReadOnlyList<KeyValuePair<int, Uri>>? peers, CancellationToken cancellationToken)
    {
        var count = ready.Accepted.Count + (ready.Promised is null ? 0 : 1) + (peers is null ? 0 : 1);
        if (count == 0)
            return;
        var records = new WalRecord[count];
        var i = 0;
        if (ready.Promised is { } promised)
            records[i++] = new WalRecord(PromiseRecord, DurableCodec.EncodeBallot(promised));
        foreach (var entry in ready.Accepted)
            records[i++] = new WalRecord(AcceptedRecord, DurableCodec.EncodeAccepted(entry));
        if (peers is not null)
            records[i++] = new WalRecord(PeersRecord, EncodePeers(peers));
        await Directory.Log.AppendAsync(records, cancellationToken).ConfigureAwait(false);
    }

    // count:i32le, then per peer id:i32le length:i32le url:utf8.
    private static byte[] EncodePeers(IReadOnlyList<KeyValuePair<int, Uri>> peers)
    {
        var output = new ArrayBufferWriter<byte>();
        Span<byte> number = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, peers.Count);
        output.Write(number);
        foreach (var (id, url) in peers)
        {
            var text = System.Text.Encoding.UTF8.GetBytes(url.OriginalString);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, id);
            output.Write(number);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, text.Length);
            output.Write(number);
            output.Write(text);
        }
        return output.WrittenSpan.ToArray();
    }

    private static KeyValuePair<int, Uri>[] DecodePeers(ReadOnlySpan<byte> bytes)
    {
        int Next(ref ReadOnlySpan<byte> rest)
        {
            if (rest.Length < 4)
                throw new FormatException("truncated peer list");
            var value = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(rest);
            rest = rest[4..];
            return value;
        }
        var count = Next(ref bytes);
        if (count < 0 || count > bytes.Length / 8)
            throw new FormatException("bad peer count");
        var peers = new KeyValuePair<int, Uri>[count];
        for (var i = 0; i < count; i++)
        {
            var id = Next(ref bytes);
            var length = Next(ref bytes);
            if (length < 0 || length > bytes.Length || !Uri.TryCreate(System.Text.Encoding.UTF8.GetString(bytes[..length]), UriKind.Absolute, out var url))
                throw new FormatException("bad peer address");
            bytes = bytes[length..];
            peers[i] = KeyValuePair.Create(id, url);
        }
        if (!bytes.IsEmpty)
            throw new FormatException("trailing bytes after the peer list");
        return peers;
    }

    public async ValueTask PersistConfigurationsAsync(IReadOnlyList<ConfigurationChange> history, CancellationToken cancellationToken) =>
        await Directory.Log.AppendAsync([new WalRecord(ConfigurationsRecord, DurableCodec.EncodeConfigurations(history))], cancellationToken).ConfigureAwait(false);

    public ValueTask SaveSnapshotAsync(NodeSnapshotWriter snapshot, long position, CancellationToken cancellationToken) =>
        Directory.SaveSnapshotAndCompactAsync(position, snapshot.Length, snapshot.WriteTo, cancellationToken);

    public ValueTask DisposeAsync() => Directory.DisposeAsync();
}
