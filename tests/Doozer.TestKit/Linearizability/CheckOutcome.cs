namespace Doozer.TestKit.Linearizability;

/// <summary>The verdict over a whole history: Illegal if any partition is, else Unknown if any is, else Ok.</summary>
public sealed record CheckOutcome<TInput, TOutput>(
    CheckResult Result,
    IReadOnlyList<PartitionVerdict<TInput, TOutput>> Partitions,
    TimeSpan Elapsed)
{
    /// <summary>A failure message for a test: the illegal partitions with their counterexamples, or the undecided ones.</summary>
    public string Describe()
    {
        var text = new System.Text.StringBuilder();
        text.Append(Result).Append(" after ").Append(Elapsed.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))
            .Append(" ms over ").Append(Partitions.Count).Append(" partitions");
        foreach (var partition in Partitions)
        {
            // Once a partition is illegal the others are cut short; their Unknown says nothing, so only the
            // counterexamples are shown.
            if (partition.Result == CheckResult.Illegal || (Result == CheckResult.Unknown && partition.Result == CheckResult.Unknown))
            {
                text.AppendLine().Append(partition.Describe());
            }
        }

        return text.ToString();
    }

    public override string ToString() => Describe();
}
