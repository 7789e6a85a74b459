namespace Doozer.Client;

/// <summary>
/// The outcome of a conditional write or delete: it committed at <see cref="Rev"/>, or its condition failed and the
/// file is at <see cref="CurrentRev"/> (0 when it does not exist). A failed condition takes no revision.
/// </summary>
/// <param name="Succeeded">Whether the write committed.</param>
/// <param name="Rev">The revision the write committed at; 0 when its condition failed.</param>
/// <param name="CurrentRev">The file's revision: the new one on success, the one that failed the condition otherwise.</param>
public sealed record WriteResult(bool Succeeded, long Rev, long CurrentRev)
{
    /// <summary>Whether the condition failed (<c>412 rev-mismatch</c>).</summary>
    public bool IsRevMismatch => !Succeeded;

    internal static WriteResult Committed(long rev) => new(true, rev, rev);

    internal static WriteResult Mismatch(long currentRev) => new(false, 0, currentRev);
}
