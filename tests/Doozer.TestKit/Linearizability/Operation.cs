namespace Doozer.TestKit.Linearizability;

/// <summary>
/// One completed (or timed-out) client operation. <see cref="Call"/> and <see cref="Return"/> are timestamps on one
/// monotonic clock (Stopwatch ticks, a counter, or line numbers). An operation whose outcome the client never learned
/// has <see cref="Return"/> = <see cref="long.MaxValue"/> and the model's "accepts anything" output: it may have taken
/// effect at any time after its call.
/// </summary>
public sealed record Operation<TInput, TOutput>(int ClientId, TInput Input, long Call, TOutput Output, long Return)
{
    public const long NeverReturned = long.MaxValue;

    public bool OutcomeUnknown => Return == NeverReturned;

    public override string ToString() =>
        $"client {ClientId} [{Call}, {(OutcomeUnknown ? "unknown" : Return.ToString(System.Globalization.CultureInfo.InvariantCulture))}] {Input} -> {Output}";
}
