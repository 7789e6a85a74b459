namespace Doozer.TestKit.Linearizability;

/// <summary>Bounds on the search. Hitting either bound gives <see cref="CheckResult.Unknown"/>, never a pass.</summary>
public sealed record CheckOptions
{
    /// <summary>Wall-clock limit for the whole check, over all partitions. Null: no limit.</summary>
    public TimeSpan? TimeLimit { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Search steps allowed per search, that is per group of independent operations of a partition (one step = one
    /// entry visited; checked every 1024 steps). Null: no limit.
    /// </summary>
    public long? StepBudget { get; init; }

    /// <summary>
    /// Split each partition into groups of operations that are independent of each other by the model's
    /// <see cref="ILinearizabilityModel{TState, TInput, TOutput}.Independent"/> and search each group on its own. The
    /// verdict is the same either way (see IndependentGroups); off, a history over independent objects is searched as
    /// one product and may blow up. Off is for comparing the two.
    /// </summary>
    public bool SplitIndependent { get; init; } = true;

    /// <summary>Check partitions (and their independent groups) on all cores; they are independent.</summary>
    public bool Parallel { get; init; } = true;

    public static CheckOptions Default { get; } = new();
}
