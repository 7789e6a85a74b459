namespace Doozer.TestKit.Linearizability;

/// <summary>
/// A sequential specification. The checker treats states as values: <see cref="Step"/> must not mutate
/// the state it is given, and <see cref="Equal"/>/<see cref="Hash"/> must agree, because the memo cache
/// uses them to recognise a configuration it has already explored.
/// </summary>
public interface ILinearizabilityModel<TState, TInput, TOutput>
{
    TState Init();

    /// <summary>
    /// Whether <paramref name="input"/> applied to <paramref name="state"/> can produce <paramref name="output"/>,
    /// and the state it leaves. The model's "unknown outcome" output must be accepted by every state.
    /// </summary>
    bool Step(TState state, TInput input, TOutput output, out TState next);

    /// <summary>
    /// True only if the operation leaves every state that accepts it exactly as it was: a read, a compare-and-set
    /// known to have failed. Such an operation can be moved to the earliest point where it is accepted in any
    /// linearization, so the checker places it there and never tries it elsewhere (a partial-order reduction that
    /// keeps histories with many concurrent reads tractable). Answering false is always safe, only slower.
    /// </summary>
    bool IsReadOnly(TInput input, TOutput output);

    /// <summary>
    /// True only if the two operations commute in every state, with the same acceptance: in any state, each is
    /// accepted (with its recorded output, whatever that is) after the other iff it is accepted without it, and both
    /// orders leave the same state (operations on different keys of a map, inputs on different components of a
    /// product state). The checker relies on it twice: an operation independent of every operation that may be
    /// ordered before it is placed at once and never tried elsewhere, and a partition is split into groups of
    /// operations independent of every other group, each searched on its own (IndependentGroups). Answering false is
    /// always safe, only slower; answering true for operations that interact can hide a violation.
    /// </summary>
    bool Independent(TInput a, TInput b);

    bool Equal(TState a, TState b);

    int Hash(TState state);

    /// <summary>
    /// Splits a history into independent sub-histories (Herlihy &amp; Wing's locality: a history is linearizable
    /// iff each object's sub-history is). Return the whole history as one partition when objects interact.
    /// </summary>
    IReadOnlyList<HistoryPartition<TInput, TOutput>> Partition(IReadOnlyList<Operation<TInput, TOutput>> history);
}
