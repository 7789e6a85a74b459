using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Doozer.TestKit.Linearizability;

/// <summary>
/// Checks a recorded history against a sequential model, partition by partition (see
/// <see cref="ILinearizabilityModel{TState, TInput, TOutput}.Partition"/>).
/// </summary>
public static class LinearizabilityChecker
{
    public static CheckOutcome<TInput, TOutput> Check<TState, TInput, TOutput>(
        ILinearizabilityModel<TState, TInput, TOutput> model,
        IReadOnlyList<Operation<TInput, TOutput>> history,
        CheckOptions? options = null)
    {
        options ??= CheckOptions.Default;
        var started = Stopwatch.GetTimestamp();
        var deadline = options.TimeLimit is { } limit
            ? started + (long)(limit.TotalSeconds * Stopwatch.Frequency)
            : long.MaxValue;
        var budget = options.StepBudget ?? long.MaxValue;

        var partitions = model.Partition(history);

        // Each partition is split further into groups of mutually independent operations, derived from the model's
        // Independent relation (see IndependentGroups for why the verdict is unchanged). Every group is one search.
        var searches = new List<HistoryPartition<TInput, TOutput>>();
        var groupCounts = new int[partitions.Count];
        var firstSearch = new int[partitions.Count];
        for (var p = 0; p < partitions.Count; p++)
        {
            firstSearch[p] = searches.Count;
            var groups = options.SplitIndependent
                ? IndependentGroups.Split(model, partitions[p])
                : [partitions[p]];
            groupCounts[p] = groups.Count;
            foreach (var group in groups)
            {
                searches.Add(group);
            }
        }

        var results = new PartitionVerdict<TInput, TOutput>[searches.Count];
        // Once one search is illegal the verdict is settled; the others stop early.
        var settled = new StrongBox<bool>();

        void CheckOne(int i)
        {
            var group = searches[i];
            // Also checked before each search starts: a search that finishes within its first 1024 steps would
            // otherwise never look at the clock, and a check that has run out of time must not pass.
            if (Volatile.Read(ref settled.Value) || Stopwatch.GetTimestamp() > deadline)
            {
                results[i] = new PartitionVerdict<TInput, TOutput>(group.Key, CheckResult.Unknown, group.Operations.Count, 0, [], null, null);
                return;
            }

            results[i] = new PartitionSearch<TState, TInput, TOutput>(model, group, deadline, budget, settled).Run();
            if (results[i].Result == CheckResult.Illegal)
            {
                Volatile.Write(ref settled.Value, true);
            }
        }

        if (options.Parallel && searches.Count > 1)
        {
            Parallel.For(0, searches.Count, CheckOne);
        }
        else
        {
            for (var i = 0; i < searches.Count; i++)
            {
                CheckOne(i);
            }
        }

        var verdicts = new PartitionVerdict<TInput, TOutput>[partitions.Count];
        for (var p = 0; p < partitions.Count; p++)
        {
            verdicts[p] = Combine(partitions[p], results.AsSpan(firstSearch[p], groupCounts[p]));
        }

        var result = CheckResult.Ok;
        foreach (var verdict in verdicts)
        {
            if (verdict.Result == CheckResult.Illegal)
            {
                result = CheckResult.Illegal;
                break;
            }

            if (verdict.Result == CheckResult.Unknown)
            {
                result = CheckResult.Unknown;
            }
        }

        return new CheckOutcome<TInput, TOutput>(result, verdicts, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// One partition's verdict from its groups' verdicts: Illegal (with the first illegal group's counterexample) if
    /// any group is, else Unknown if any is, else Ok. Steps are summed over the groups.
    /// </summary>
    private static PartitionVerdict<TInput, TOutput> Combine<TInput, TOutput>(
        HistoryPartition<TInput, TOutput> partition,
        ReadOnlySpan<PartitionVerdict<TInput, TOutput>> results)
    {
        long steps = 0;
        PartitionVerdict<TInput, TOutput>? illegal = null;
        var unknown = false;
        for (var i = 0; i < results.Length; i++)
        {
            steps += results[i].Steps;
            if (results[i].Result == CheckResult.Illegal)
            {
                illegal ??= results[i];
            }
            else if (results[i].Result == CheckResult.Unknown)
            {
                unknown = true;
            }
        }

        var verdict = illegal
            ?? new PartitionVerdict<TInput, TOutput>(
                partition.Key, unknown ? CheckResult.Unknown : CheckResult.Ok, partition.Operations.Count, steps, [], null, null);
        return verdict with { OperationCount = partition.Operations.Count, Steps = steps, IndependentGroups = results.Length };
    }
}
