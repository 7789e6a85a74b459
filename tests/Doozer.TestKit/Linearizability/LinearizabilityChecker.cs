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
        var verdicts = new PartitionVerdict<TInput, TOutput>[partitions.Count];
        // Once one partition is illegal the verdict is settled; the others stop early.
        var settled = new StrongBox<bool>();

        void CheckOne(int i)
        {
            if (Volatile.Read(ref settled.Value))
            {
                verdicts[i] = new PartitionVerdict<TInput, TOutput>(
                    partitions[i].Key, CheckResult.Unknown, partitions[i].Operations.Count, 0, [], null, null);
                return;
            }

            verdicts[i] = new PartitionSearch<TState, TInput, TOutput>(model, partitions[i], deadline, budget, settled).Run();
            if (verdicts[i].Result == CheckResult.Illegal)
            {
                Volatile.Write(ref settled.Value, true);
            }
        }

        if (options.Parallel && partitions.Count > 1)
        {
            Parallel.For(0, partitions.Count, CheckOne);
        }
        else
        {
            for (var i = 0; i < partitions.Count; i++)
            {
                CheckOne(i);
            }
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
}
