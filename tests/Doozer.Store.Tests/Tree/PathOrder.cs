using Doozer.Store.Tests.Paths;

namespace Doozer.Store.Tests.Tree;

/// <summary>The reference path order for the oracle, independent of the code under test.</summary>
internal sealed class PathOrder : IComparer<string>
{
    public static readonly PathOrder Instance = new();

    public int Compare(string? x, string? y) => TreePathTests.ReferenceCompare(x!, y!);
}
