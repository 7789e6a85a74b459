namespace Doozer.TestKit.Linearizability.Kv;

/// <summary>
/// Porcupine's key/value map (get / put / append). The state holds every key, so the same model checks a history
/// as one object (<c>partitionPerKey: false</c>) or key by key; the verdicts must agree, by locality. As one object,
/// the checker still splits the search by key, by itself, because <see cref="Independent"/> says operations on
/// different keys commute (see IndependentGroups); <c>CheckOptions.SplitIndependent = false</c> forces one search.
/// </summary>
public sealed class KvModel : ILinearizabilityModel<KvState, KvInput, KvOutput>
{
    private readonly Dictionary<string, int> slots = new(StringComparer.Ordinal);
    private readonly bool partitionPerKey;
    private readonly KvValue empty = new("");

    public KvModel(IEnumerable<string> keys, bool partitionPerKey)
    {
        foreach (var key in keys)
        {
            slots.TryAdd(key, slots.Count);
        }

        this.partitionPerKey = partitionPerKey;
    }

    public static KvModel For(IReadOnlyList<Operation<KvInput, KvOutput>> history, bool partitionPerKey)
    {
        var keys = new List<string>();
        foreach (var op in history)
        {
            keys.Add(op.Input.Key);
        }

        return new KvModel(keys, partitionPerKey);
    }

    public KvState Init()
    {
        var values = new KvValue[slots.Count];
        Array.Fill(values, empty);
        return new KvState(values);
    }

    public bool Step(KvState state, KvInput input, KvOutput output, out KvState next)
    {
        var slot = slots[input.Key];
        switch (input.Kind)
        {
            case KvOperation.Get:
                next = state;
                return output.Unknown || string.Equals(output.Value, state[slot].Text, StringComparison.Ordinal);
            case KvOperation.Put:
                next = state.With(slot, empty.Then(input.Value));
                return true;
            default:
                next = state.With(slot, state[slot].Then(input.Value));
                return true;
        }
    }

    public bool IsReadOnly(KvInput input, KvOutput output) => input.Kind == KvOperation.Get;

    public bool Independent(KvInput a, KvInput b) => !string.Equals(a.Key, b.Key, StringComparison.Ordinal);

    public bool Equal(KvState a, KvState b) => a.Same(b);

    public int Hash(KvState state) => state.Hash;

    public IReadOnlyList<HistoryPartition<KvInput, KvOutput>> Partition(IReadOnlyList<Operation<KvInput, KvOutput>> history) =>
        partitionPerKey
            ? HistoryPartition<KvInput, KvOutput>.ByKey(history, static input => input.Key)
            : HistoryPartition<KvInput, KvOutput>.Whole(history);
}
