namespace Doozer.TestKit.Linearizability;

/// <summary>The operations on one independent object (a path, a key), checked on their own.</summary>
public sealed record HistoryPartition<TInput, TOutput>(string Key, IReadOnlyList<Operation<TInput, TOutput>> Operations)
{
    public static IReadOnlyList<HistoryPartition<TInput, TOutput>> Whole(IReadOnlyList<Operation<TInput, TOutput>> history) =>
        [new HistoryPartition<TInput, TOutput>("(all)", history)];

    /// <summary>One partition per key, in order of first appearance; operations keep their history order.</summary>
    public static IReadOnlyList<HistoryPartition<TInput, TOutput>> ByKey(
        IReadOnlyList<Operation<TInput, TOutput>> history, Func<TInput, string> key)
    {
        var byKey = new Dictionary<string, List<Operation<TInput, TOutput>>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var op in history)
        {
            var k = key(op.Input);
            if (!byKey.TryGetValue(k, out var list))
            {
                byKey[k] = list = [];
                order.Add(k);
            }

            list.Add(op);
        }

        var partitions = new HistoryPartition<TInput, TOutput>[order.Count];
        for (var i = 0; i < order.Count; i++)
        {
            partitions[i] = new HistoryPartition<TInput, TOutput>(order[i], byKey[order[i]]);
        }

        return partitions;
    }
}
