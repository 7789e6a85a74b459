namespace Doozer.TestKit.Linearizability;

/// <summary>Bounds on the search. Hitting either bound gives <see cref="CheckResult.Unknown"/>, never a pass.</summary>
public sealed record CheckOptions
{
    /// <summary>Wall-clock limit for the whole check, over all partitions. Null: no limit.</summary>
    public TimeSpan? TimeLimit { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Search steps allowed per partition (one step = one entry visited; checked every 1024 steps). Null: no limit.</summary>
    public long? StepBudget { get; init; }

    /// <summary>Check partitions on all cores; they are independent.</summary>
    public bool Parallel { get; init; } = true;

    public static CheckOptions Default { get; } = new();
}
