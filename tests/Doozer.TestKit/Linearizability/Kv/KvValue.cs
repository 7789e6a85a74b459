using System.Runtime.CompilerServices;

namespace Doozer.TestKit.Linearizability.Kv;

/// <summary>
/// A hash-consed value: appending the same piece to the same value gives the same node, so states compare and hash
/// by reference instead of by strings that grow to kilobytes (appends accumulate), and each concatenation is done
/// once, not once per search step. Equal texts reached by different routes (a put of "ab", appends of "a" and "b")
/// are different nodes: the memo cache then merges less, which costs time but never changes a verdict.
/// </summary>
internal sealed class KvValue
{
    private readonly Lock gate = new();
    private Dictionary<string, KvValue>? successors;

    public KvValue(string text)
    {
        Text = text;
        Hash = RuntimeHelpers.GetHashCode(this);
    }

    public string Text { get; }

    public int Hash { get; }

    public KvValue Then(string piece)
    {
        // Partitions are searched in parallel and share the empty value, hence the lock.
        lock (gate)
        {
            successors ??= new Dictionary<string, KvValue>(StringComparer.Ordinal);
            if (!successors.TryGetValue(piece, out var next))
            {
                successors[piece] = next = new KvValue(Text + piece);
            }

            return next;
        }
    }

    public override string ToString() => Text;
}
