using Doozer.Store.Commands;

namespace Doozer.Store.Tree;

/// <summary>
/// The revisioned tree with its history window. Single writer (the apply loop); views are immutable and may be
/// read from any thread while the writer goes on.
/// </summary>
public sealed class TreeStore
{
    public TreeStore(int historyLimit) => throw new NotImplementedException();

    /// <summary>The current store revision (0 when empty).</summary>
    public long Rev => throw new NotImplementedException();

    /// <summary>Revisions of history kept (--history).</summary>
    public int HistoryLimit => throw new NotImplementedException();

    /// <summary>The lowest readable revision: max(0, Rev - HistoryLimit + 1). A revision R is readable iff OldestRev &lt;= R &lt;= Rev.</summary>
    public long OldestRev => throw new NotImplementedException();

    public StoreView Current => throw new NotImplementedException();

    /// <summary>The view at <paramref name="rev"/>, or null when it is outside [OldestRev, Rev].</summary>
    public StoreView? At(long rev) => throw new NotImplementedException();

    /// <summary>Applies one decided command. Deterministic: the same commands in the same order give the same tree.</summary>
    public ApplyResult Apply(Command command) => throw new NotImplementedException();

    /// <summary>
    /// The changes of revision <paramref name="rev"/> in path order, for watches and waits replaying history.
    /// Empty when rev is outside [OldestRev, Rev] or is 0.
    /// </summary>
    public IReadOnlyList<Change> ChangesAt(long rev) => throw new NotImplementedException();

    /// <summary>The current tree and revision as bytes (versioned format). History is not included.</summary>
    public byte[] ToSnapshot() => throw new NotImplementedException();

    /// <exception cref="FormatException">Not a snapshot of a known version, or corrupt.</exception>
    public static TreeStore FromSnapshot(ReadOnlySpan<byte> snapshot, int historyLimit) => throw new NotImplementedException();
}
