using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Doozer.TestKit.Linearizability;

/// <summary>
/// The Wing &amp; Gong search with Lowe's memoisation, as in Porcupine's checker: walk the list of call and return
/// entries; at a call, try to linearize the operation now (the model accepts it, and the configuration
/// (set of linearized operations, state) is new to the cache), lift it out of the list and restart from the head;
/// at a return whose call is still in the list, that operation can no longer be placed, so backtrack the most recent
/// choice. The history is linearizable when the list is empty.
/// Two partial-order reductions sit on top, both sound because the operation they place could be moved to the front
/// of any linearization of the rest: read-only operations (the model's IsReadOnly) and operations independent of
/// every rival (the model's Independent) are placed as soon as they are accepted and never tried elsewhere.
/// Stack entries for such placements are marked forced: backtracking goes straight through them.
/// </summary>
internal sealed class PartitionSearch<TState, TInput, TOutput>
{
    private readonly ILinearizabilityModel<TState, TInput, TOutput> model;
    private readonly HistoryPartition<TInput, TOutput> partition;
    private readonly long deadline;
    private readonly long stepBudget;
    private readonly StrongBox<bool> cancelled;

    public PartitionSearch(
        ILinearizabilityModel<TState, TInput, TOutput> model,
        HistoryPartition<TInput, TOutput> partition,
        long deadline,
        long stepBudget,
        StrongBox<bool> cancelled)
    {
        this.model = model;
        this.partition = partition;
        this.deadline = deadline;
        this.stepBudget = stepBudget;
        this.cancelled = cancelled;
    }

    public PartitionVerdict<TInput, TOutput> Run()
    {
        var operations = partition.Operations;
        var count = operations.Count;
        var head = BuildList(operations);
        var readOnly = new bool[count];
        for (var i = 0; i < count; i++)
        {
            readOnly[i] = model.IsReadOnly(operations[i].Input, operations[i].Output);
        }

        var linearized = new ulong[(count + 63) / 64];
        ulong linearizedHash = 0;
        var cache = new HashSet<Configuration>(new ConfigurationComparer(model));
        var stack = new (SearchEntry Call, TState State, bool Forced)[count];
        var depth = 0;
        var state = model.Init();

        var best = Array.Empty<int>();
        var blocked = -1;
        TState bestState = state;

        var entry = head.Next;
        long steps = 0;
        while (head.Next is not null)
        {
            steps++;
            // Checking the clock costs ~20 ns; once every 1024 steps keeps that out of the profile.
            if ((steps & 1023) == 0 && (steps > stepBudget || Stopwatch.GetTimestamp() > deadline || Volatile.Read(ref cancelled.Value)))
            {
                return Verdict(CheckResult.Unknown, steps, [], -1, default);
            }

            if (entry!.IsCall)
            {
                var op = operations[entry.Operation];
                if (model.Step(state, op.Input, op.Output, out var next))
                {
                    // Partial-order reduction: a read-only operation accepted here, called before every pending
                    // return, can be moved to this point in any linearization of the rest (nothing pending must
                    // precede it, and it changes no state wherever it sits), so placing it now loses nothing.
                    // If the configuration with it fails, this one fails too: no alternative need be tried.
                    var placeNow = readOnly[entry.Operation] || IndependentOfRivals(head, entry, operations);
                    var word = entry.Operation >> 6;
                    var bit = 1UL << (entry.Operation & 63);
                    linearized[word] |= bit;
                    var nextHash = linearizedHash ^ Mix(entry.Operation);
                    var probe = new Configuration(linearized, next, Combine(nextHash, model.Hash(next)));
                    if (!cache.Contains(probe))
                    {
                        cache.Add(probe with { Linearized = (ulong[])linearized.Clone() });
                        stack[depth++] = (entry, state, placeNow);
                        state = next;
                        linearizedHash = nextHash;
                        entry.Lift();
                        entry = head.Next;
                        continue;
                    }

                    linearized[word] &= ~bit;
                    if (!placeNow)
                    {
                        entry = entry.Next;
                        continue;
                    }

                    // The cache says the configuration with this operation failed, so this one has failed: backtrack.
                }
                else
                {
                    entry = entry.Next;
                    continue;
                }
            }

            // A return entry whose call is not linearized (or a forced dead end, from above): every order tried
            // from this configuration is a dead end.
            if (!entry.IsCall && depth > best.Length)
            {
                best = new int[depth];
                for (var i = 0; i < depth; i++)
                {
                    best[i] = stack[i].Call.Operation;
                }

                blocked = entry.Operation;
                bestState = state;
            }

            if (blocked < 0)
            {
                blocked = entry.Operation;
                bestState = state;
            }

            SearchEntry call;
            bool forced;
            do
            {
                if (depth == 0)
                {
                    return Verdict(CheckResult.Illegal, steps, best, blocked, bestState);
                }

                (call, state, forced) = stack[--depth];
                linearized[call.Operation >> 6] &= ~(1UL << (call.Operation & 63));
                linearizedHash ^= Mix(call.Operation);
                call.Unlift();
            }
            while (forced);

            entry = call.Next;
        }

        return Verdict(CheckResult.Ok, steps, [], -1, default);
    }

    /// <summary>
    /// Whether <paramref name="call"/> commutes with every pending operation called before it returns, the only
    /// operations a linearization of the rest could put before it. Then any such linearization can be rearranged to
    /// start with it (swap it forward past each of them), so placing it now is, like a read, without loss.
    /// </summary>
    private bool IndependentOfRivals(SearchEntry head, SearchEntry call, IReadOnlyList<Operation<TInput, TOutput>> operations)
    {
        var input = operations[call.Operation].Input;
        for (var rival = head.Next; rival is not null && rival != call.Match; rival = rival.Next)
        {
            if (rival.IsCall && rival != call && !model.Independent(input, operations[rival.Operation].Input))
            {
                return false;
            }
        }

        return true;
    }

    private PartitionVerdict<TInput, TOutput> Verdict(CheckResult result, long steps, int[] prefix, int blocked, TState? state)
    {
        var operations = partition.Operations;
        var ordered = new Operation<TInput, TOutput>[prefix.Length];
        for (var i = 0; i < prefix.Length; i++)
        {
            ordered[i] = operations[prefix[i]];
        }

        return new PartitionVerdict<TInput, TOutput>(
            partition.Key,
            result,
            operations.Count,
            steps,
            ordered,
            blocked >= 0 ? operations[blocked] : null,
            result == CheckResult.Illegal ? state?.ToString() ?? "(null)" : null);
    }

    private static SearchEntry BuildList(IReadOnlyList<Operation<TInput, TOutput>> operations)
    {
        var events = new (long Time, int Kind, int Operation)[operations.Count * 2];
        for (var i = 0; i < operations.Count; i++)
        {
            // Kind 0 = call, 1 = return: at equal times calls sort first, so touching operations count as
            // concurrent. That can only make the checker more permissive, never raise a false alarm.
            events[2 * i] = (operations[i].Call, 0, i);
            events[(2 * i) + 1] = (operations[i].Return, 1, i);
        }

        Array.Sort(events);

        var returns = new SearchEntry[operations.Count];
        var head = new SearchEntry(-1, null);
        var tail = head;
        // Build back to front so each call can point at its already-built return.
        var built = new SearchEntry[events.Length];
        for (var i = events.Length - 1; i >= 0; i--)
        {
            var (_, kind, op) = events[i];
            if (kind == 1)
            {
                built[i] = returns[op] = new SearchEntry(op, null);
            }
            else
            {
                built[i] = new SearchEntry(op, returns[op]);
            }
        }

        for (var i = 0; i < built.Length; i++)
        {
            tail.Next = built[i];
            built[i].Prev = tail;
            tail = built[i];
        }

        return head;
    }

    // SplitMix64: a set's hash is the XOR of its members' mixed ids, so adding or removing one is O(1).
    private static ulong Mix(int id)
    {
        var z = (ulong)id + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static int Combine(ulong setHash, int stateHash) =>
        (int)(setHash ^ (setHash >> 32)) ^ (stateHash * -1640531535);

    private readonly record struct Configuration(ulong[] Linearized, TState State, int Hash);

    private sealed class ConfigurationComparer(ILinearizabilityModel<TState, TInput, TOutput> model) : IEqualityComparer<Configuration>
    {
        public bool Equals(Configuration x, Configuration y) =>
            x.Hash == y.Hash
            && x.Linearized.AsSpan().SequenceEqual(y.Linearized)
            && model.Equal(x.State, y.State);

        public int GetHashCode(Configuration obj) => obj.Hash;
    }
}
