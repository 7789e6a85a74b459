namespace Doozer.TestKit.Linearizability;

/// <summary>The verdict over a whole history: Illegal if any partition is, else Unknown if any is, else Ok.</summary>
public sealed record CheckOutcome<TInput, TOutput>(
    CheckResult Result,
    IReadOnlyList<PartitionVerdict<TInput, TOutput>> Partitions,
    TimeSpan Elapsed)
{
    /// <summary>A failure message for a test: every partition that did not pass, with its counterexample.</summary>
    public string Describe()
    {
        var text = new System.Text.StringBuilder();
        text.Append(Result).Append(" after ").Append(Elapsed.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))
            .Append(" ms over ").Append(Partitions.Count).Append(" partitions");
        foreach (var partition in Partitions)
        {
            if (partition.Result != CheckResult.Ok)
            {
                text.AppendLine().Append(partition.Describe());
            }
        }

        return text.ToString();
    }

    public override string ToString() => Describe();
}
