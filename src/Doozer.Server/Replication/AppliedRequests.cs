using System.Buffers.Binary;
using Doozer.Store.Tree;

namespace Doozer.Server.Replication;

/// <summary>What applying a request did, kept so that a retry of the same request gets the same answer.</summary>
public readonly record struct RequestOutcome(ApplyStatus Status, long Rev, long CurrentRev, bool Created)
{
    public static RequestOutcome Of(ApplyResult result) => new(result.Status, result.Rev, result.CurrentRev, result.Created);

    public ApplyResult ToResult() => new(Status, Rev, CurrentRev, Created, []);
}

/// <summary>
/// Exactly-once at apply (API.md 5): the request ids of the last <see cref="Capacity"/> applied commands with their
/// outcomes. A command whose id is here is skipped, so a proposal retried after a lost message or a leader change
/// never applies twice. The table is part of the replicated state: it changes only by applying decided slots, is the
/// same on every node at the same slot, and travels in snapshots, so every node skips the same commands.
/// A node stops retrying a proposal long before its id could leave the table (<see cref="ClusterLog"/>).
/// </summary>
public sealed class AppliedRequests
{
    public const int Capacity = 1 << 18;

    private readonly Dictionary<long, RequestOutcome> _outcomes = new(Capacity);
    private readonly long[] _order = new long[Capacity];
    private long _count;

    /// <summary>Request ids recorded since the table was created or restored: how far apart two moments are.</summary>
    public long Recorded => _count;

    public bool TryGet(long requestId, out RequestOutcome outcome) => _outcomes.TryGetValue(requestId, out outcome);

    public void Record(long requestId, RequestOutcome outcome)
    {
        var at = (int)(_count % Capacity);
        if (_count >= Capacity)
            _outcomes.Remove(_order[at]);
        _order[at] = requestId;
        _outcomes[requestId] = outcome;
        _count++;
    }

    private const int EntryBytes = 8 + 1 + 8 + 8 + 1;

    /// <summary>Oldest first, so that reading them back in order rebuilds the same table.</summary>
    public byte[] ToBytes()
    {
        var kept = (int)Math.Min(_count, Capacity);
        var bytes = new byte[8 + kept * EntryBytes];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, _count);
        var span = bytes.AsSpan(8);
        for (var i = 0L; i < kept; i++)
        {
            var id = _order[(int)((_count - kept + i) % Capacity)];
            var outcome = _outcomes[id];
            BinaryPrimitives.WriteInt64LittleEndian(span, id);
            span[8] = (byte)outcome.Status;
            BinaryPrimitives.WriteInt64LittleEndian(span[9..], outcome.Rev);
            BinaryPrimitives.WriteInt64LittleEndian(span[17..], outcome.CurrentRev);
            span[25] = outcome.Created ? (byte)1 : (byte)0;
            span = span[EntryBytes..];
        }
        return bytes;
    }

    /// <exception cref="FormatException">The bytes are not a table written by <see cref="ToBytes"/>.</exception>
    public static AppliedRequests FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8 || (bytes.Length - 8) % EntryBytes != 0)
            throw new FormatException("The applied-request table has a wrong length.");
        var table = new AppliedRequests();
        var count = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var kept = (bytes.Length - 8) / EntryBytes;
        if (count < kept || kept > Capacity)
            throw new FormatException("The applied-request table is inconsistent.");
        // Start the counter where the writer's was, so that Recorded keeps measuring the same distance.
        table._count = count - kept;
        var span = bytes[8..];
        for (var i = 0; i < kept; i++)
        {
            table.Record(BinaryPrimitives.ReadInt64LittleEndian(span), new RequestOutcome(
                (ApplyStatus)span[8], BinaryPrimitives.ReadInt64LittleEndian(span[9..]), BinaryPrimitives.ReadInt64LittleEndian(span[17..]), span[25] != 0));
            span = span[EntryBytes..];
        }
        return table;
    }
}
