using Doozer.Server.Replication;
using Doozer.Store.Tree;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Doozer.Server.Api;

/// <summary>Where a read is served from: a pinned revision, or now (linearizable or stale).</summary>
public readonly record struct ReadPoint(long? Rev, bool Stale, TimeSpan Wait);

/// <summary>
/// Turns a <see cref="ReadPoint"/> into a view of the tree (API.md 3.1): a revision below the window is 410,
/// one this node has not applied yet is waited for (read-your-writes across nodes), then 504.
/// </summary>
public sealed class Reads(AppliedTree tree, IReplicatedLog log, TimeProvider time)
{
    public const double DefaultWaitSeconds = 10;
    public const double MaxWaitSeconds = 300;

    /// <summary>Validates the read's query values; null when they are well formed.</summary>
    public static ProblemHttpResult? ParsePoint(long? rev, string? consistency, double? wait, out ReadPoint point)
    {
        point = default;
        if (Query.Rev(rev) is { } badRev)
            return badRev;
        if (Query.Consistency(consistency, out var stale) is { } badConsistency)
            return badConsistency;
        if (Query.Seconds("wait", wait, DefaultWaitSeconds, 0, MaxWaitSeconds, out var span) is { } badWait)
            return badWait;
        point = new ReadPoint(rev, stale, span);
        return null;
    }

    public async ValueTask<(StoreView? View, ProblemHttpResult? Problem)> ViewAsync(ReadPoint point, CancellationToken cancellationToken)
    {
        if (point.Rev is not { } rev)
        {
            if (!point.Stale)
                await log.ReadBarrierAsync(cancellationToken).ConfigureAwait(false);
            return (tree.Store.Current, null);
        }
        var store = tree.Store;
        if (rev < store.OldestRev)
            return (null, Problem.TooLate(rev, store.OldestRev));
        if (rev > store.Rev && !await tree.WaitForRevAsync(rev, point.Wait, time, cancellationToken).ConfigureAwait(false))
            return (null, Problem.Of(ProblemKind.Timeout, $"This node has not reached revision {rev} within {point.Wait.TotalSeconds}s; it is at {store.Rev}."));
        return store.At(rev) is { } view
            ? (view, null)
            : (null, Problem.TooLate(rev, store.OldestRev));
    }
}
