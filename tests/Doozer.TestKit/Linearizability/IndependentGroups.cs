namespace Doozer.TestKit.Linearizability;

/// <summary>
/// Splits a partition into groups of operations such that every operation of one group is independent (the model's
/// <see cref="ILinearizabilityModel{TState, TInput, TOutput}.Independent"/>) of every operation of every other group;
/// the checker then searches each group on its own. The groups are the connected components of the "not independent"
/// graph, derived here from the model's relation, never from a key the caller chose.
/// </summary>
/// <remarks>
/// <para>
/// Why the verdict is the same as one search over the whole partition. Call the groups G1..Gn and write H|G for the
/// operations of group G with their own call and return times. Independence of a and b means: in every state, a is
/// accepted (with its output) after b iff it is accepted without b, likewise for b, and both orders leave the same
/// state. So moving a past b, or dropping a step that the other's acceptance does not depend on, changes nothing.
/// </para>
/// <para>
/// If H is linearizable, by a sequence S that respects real time: keep only G's operations, S|G. Each G-operation's
/// acceptance and effect are unchanged by the other groups' steps before it (independence, one swap at a time: move
/// every non-G step of S behind all G-steps; each swap passes a G-step over an independent step), so S|G is legal
/// from the initial state, and it respects H|G's real-time order because S respects H's. Every group passes.
/// </para>
/// <para>
/// Conversely, let each S_i (a legal order of H|G_i respecting its real time) be given. Herlihy &amp; Wing's locality
/// argument (Linearizability, TOPLAS 1990, theorem 1) is purely about orders: the union of H's real-time order and the
/// S_i is acyclic, so some total order S extends it, respects real time, and restricts to each S_i. S is legal: by
/// induction over S, each step of group G_i meets a state that differs from the one it met in S_i only by steps of
/// other groups, all independent of it, so it is accepted and has the same effect on G_i's operations as in S_i. So H
/// is linearizable. Hence Illegal for the whole partition iff Illegal for some group, and the split never turns a
/// violation into a pass (nor the reverse). This is Porcupine's partitioning per key, but derived from the model's
/// relation: a history whose groups interact stays in one group, and a model that answers Independent = false (the
/// safe default) is never split.
/// </para>
/// <para>
/// Independence must hold between every cross-group pair, not only between concurrent ones: operations far apart in
/// time still meet in the state. Hence all pairs are considered (checked in both directions, in case a model's
/// relation is not symmetric). Cost: one Independent call per pair of an operation and a member of a group it turns
/// out to be independent of, plus one per group it joins: O(n) when nothing is independent, O(n^2) at worst.
/// </para>
/// </remarks>
internal static class IndependentGroups
{
    public static IReadOnlyList<HistoryPartition<TInput, TOutput>> Split<TState, TInput, TOutput>(
        ILinearizabilityModel<TState, TInput, TOutput> model,
        HistoryPartition<TInput, TOutput> partition)
    {
        var operations = partition.Operations;
        if (operations.Count < 2)
        {
            return [partition];
        }

        var groups = new List<List<int>>();
        var joins = new List<int>();
        for (var i = 0; i < operations.Count; i++)
        {
            var input = operations[i].Input;
            joins.Clear();
            for (var g = 0; g < groups.Count; g++)
            {
                foreach (var member in groups[g])
                {
                    var other = operations[member].Input;
                    if (!model.Independent(input, other) || !model.Independent(other, input))
                    {
                        joins.Add(g);
                        break;
                    }
                }
            }

            if (joins.Count == 0)
            {
                groups.Add([i]);
                continue;
            }

            // The operation links every group it depends on: they become one.
            var target = groups[joins[0]];
            target.Add(i);
            for (var j = joins.Count - 1; j >= 1; j--)
            {
                target.AddRange(groups[joins[j]]);
                groups.RemoveAt(joins[j]);
            }
        }

        if (groups.Count == 1)
        {
            return [partition];
        }

        foreach (var members in groups)
        {
            members.Sort();
        }

        // Deterministic order: by each group's first operation in the history.
        groups.Sort(static (a, b) => a[0].CompareTo(b[0]));
        var result = new HistoryPartition<TInput, TOutput>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var members = groups[g];
            var ops = new Operation<TInput, TOutput>[members.Count];
            for (var k = 0; k < members.Count; k++)
            {
                ops[k] = operations[members[k]];
            }

            result[g] = new HistoryPartition<TInput, TOutput>(partition.Key, ops);
        }

        return result;
    }
}
