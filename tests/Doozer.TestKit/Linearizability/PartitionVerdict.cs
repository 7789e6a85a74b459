namespace Doozer.TestKit.Linearizability;

/// <summary>
/// The result for one partition. When <see cref="Result"/> is <see cref="CheckResult.Illegal"/>,
/// <see cref="LongestPrefix"/> is the longest sequence the search managed to linearize (in linearization order) and
/// <see cref="Blocked"/> the operation whose return the search reached without being able to place it: no order of the
/// remaining concurrent operations explains it after that prefix. Read them together with <see cref="StateAfterPrefix"/>.
/// </summary>
public sealed record PartitionVerdict<TInput, TOutput>(
    string Key,
    CheckResult Result,
    int OperationCount,
    long Steps,
    IReadOnlyList<Operation<TInput, TOutput>> LongestPrefix,
    Operation<TInput, TOutput>? Blocked,
    string? StateAfterPrefix)
{
    /// <summary>
    /// How many groups of mutually independent operations the partition was searched as (1: one search). When
    /// <see cref="Result"/> is Illegal, the counterexample is from one group and lists only its operations.
    /// </summary>
    public int IndependentGroups { get; init; } = 1;

    public string Describe()
    {
        var text = new System.Text.StringBuilder();
        text.Append("partition '").Append(Key).Append("': ").Append(Result)
            .Append(" (").Append(OperationCount).Append(" operations, ");
        if (IndependentGroups > 1)
        {
            text.Append(IndependentGroups).Append(" independent groups, ");
        }

        text.Append(Steps).Append(" search steps)");
        if (Result != CheckResult.Illegal)
        {
            return text.ToString();
        }

        text.AppendLine().Append("  longest linearizable prefix (").Append(LongestPrefix.Count).AppendLine(" operations, in order):");
        // The tail of the prefix is where the search gave up; the head is usually uninteresting.
        const int shown = 20;
        var first = Math.Max(0, LongestPrefix.Count - shown);
        if (first > 0)
        {
            text.Append("    ... ").Append(first).AppendLine(" earlier operations");
        }

        for (var i = first; i < LongestPrefix.Count; i++)
        {
            text.Append("    ").AppendLine(LongestPrefix[i].ToString());
        }

        text.Append("  state after prefix: ").AppendLine(StateAfterPrefix);
        text.Append("  cannot linearize: ").Append(Blocked?.ToString());
        return text.ToString();
    }
}
