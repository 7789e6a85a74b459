using Doozer.Store.Snapshots;

namespace Doozer.Store.Tree;

/// <summary>
/// The revisioned tree with its history window. Single writer (the apply loop); views are immutable and may be
/// read from any thread while the writer goes on.
/// </summary>
/// <remarks>
/// History is a ring of <see cref="StoreView"/>s, one per revision, indexed by rev modulo the ring's length. Each view
/// is a root of the persistent tree, so keeping N revisions costs the nodes those N writes copied, never N trees.
/// Readers take no lock: the writer fills the ring slot, then publishes the new view with a volatile write; a reader
/// checks that the slot it reads still holds the revision it asked for (the writer may have reused it since).
/// </remarks>
public sealed partial class TreeStore
{
    // The ring grows on demand up to HistoryLimit, so a large --history costs nothing until it is used.
    private const int InitialRingLength = 1024;

    // The oldest revision this store ever had: 0, or the revision its snapshot was taken at.
    private readonly long _baseRev;
    private volatile StoreView _current;
    private volatile StoreView?[] _ring;

    public TreeStore(int historyLimit)
        : this(historyLimit, new StoreView(0, DirNode.Empty, []))
    {
    }

    private TreeStore(int historyLimit, StoreView initial)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLimit, 1);
        HistoryLimit = historyLimit;
        _baseRev = initial.Rev;
        _ring = new StoreView?[Math.Min(historyLimit, InitialRingLength)];
        _ring[initial.Rev % _ring.Length] = initial;
        _current = initial;
    }

    /// <summary>The current store revision (0 when empty).</summary>
    public long Rev => _current.Rev;

    /// <summary>Revisions of history kept (--history).</summary>
    public int HistoryLimit { get; }

    /// <summary>
    /// The lowest readable revision: max(0, Rev - HistoryLimit + 1). A revision R is readable iff OldestRev &lt;= R &lt;= Rev.
    /// A store restored from a snapshot has no history before the snapshot's revision.
    /// </summary>
    public long OldestRev => OldestOf(_current.Rev);

    public StoreView Current => _current;

    /// <summary>The view at <paramref name="rev"/>, or null when it is outside [OldestRev, Rev].</summary>
    public StoreView? At(long rev)
    {
        var current = _current;
        if (rev > current.Rev || rev < OldestOf(current.Rev))
            return null;
        if (rev == current.Rev)
            return current;
        var ring = _ring;
        var view = ring[rev % ring.Length];
        return view is not null && view.Rev == rev ? view : null;
    }

    /// <summary>
    /// The changes of revision <paramref name="rev"/> in path order, for watches and waits replaying history.
    /// Empty when rev is outside [OldestRev, Rev] or is 0.
    /// </summary>
    public IReadOnlyList<Change> ChangesAt(long rev) => rev <= 0 ? [] : At(rev)?.Changes ?? [];

    /// <summary>The current tree and revision as bytes (versioned format). History is not included.</summary>
    public byte[] ToSnapshot() => StoreSnapshot.Write(_current);

    /// <exception cref="FormatException">Not a snapshot of a known version, or corrupt.</exception>
    public static TreeStore FromSnapshot(ReadOnlySpan<byte> snapshot, int historyLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLimit, 1);
        var (rev, root) = StoreSnapshot.Read(snapshot);
        return new TreeStore(historyLimit, new StoreView(rev, root, []));
    }

    private long OldestOf(long rev) => Math.Max(_baseRev, rev - HistoryLimit + 1);

    /// <summary>Makes <paramref name="view"/> (the next revision) current and readable.</summary>
    private void Publish(StoreView view)
    {
        var ring = _ring;
        var kept = Math.Min(HistoryLimit, view.Rev - _baseRev + 1);
        if (kept > ring.Length)
        {
            // Every view in the old ring is among the last ring.Length revisions, so none collide in the larger ring.
            var grown = new StoreView?[Math.Min(HistoryLimit, Math.Max(2L * ring.Length, kept))];
            foreach (var old in ring)
            {
                if (old is not null)
                    grown[old.Rev % grown.Length] = old;
            }
            grown[view.Rev % grown.Length] = view;
            _ring = grown;
        }
        else
        {
            ring[view.Rev % ring.Length] = view;
        }
        _current = view;
    }
}
