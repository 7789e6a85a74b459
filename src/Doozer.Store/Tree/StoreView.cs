using Doozer.Store.Paths;

namespace Doozer.Store.Tree;

/// <summary>An immutable view of the tree at one revision. Cheap to take; safe to use from any thread.</summary>
public sealed class StoreView
{
    public long Rev => throw new NotImplementedException();

    public Lookup Get(string path) => throw new NotImplementedException();

    /// <summary>Lists a directory (for a file: Status Ok, Kind File, no entries). Entries after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public DirPage List(string path, string? after, int limit) => throw new NotImplementedException();

    /// <summary>Files matching <paramref name="glob"/> in path order, strictly after path <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public WalkPage Walk(Glob glob, string? after, int limit) => throw new NotImplementedException();
}
