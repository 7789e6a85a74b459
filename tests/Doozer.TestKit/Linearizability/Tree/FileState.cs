namespace Doozer.TestKit.Linearizability.Tree;

/// <summary>
/// One path's state. <see cref="Rev"/> is the store rev of the last change to the path: the file's rev when it
/// exists, the rev of its deletion (0 if never written) when it does not. When <see cref="RevExact"/> is false the
/// change came from an operation whose answer was lost, so the rev is not known: <see cref="Rev"/> is then a strict
/// lower bound, pinned by the first answer that reveals it.
/// </summary>
public readonly record struct FileState(bool Exists, string? Value, long Rev, bool RevExact)
{
    public static FileState Absent { get; } = new(false, null, 0, true);

    /// <summary>Whether the path's rev can be <paramref name="rev"/>.</summary>
    public bool CouldBeAt(long rev) => RevExact ? Rev == rev : rev > Rev;

    public FileState PinnedAt(long rev) => this with { Rev = rev, RevExact = true };

    public override string ToString() =>
        (Exists ? $"\"{Value}\"" : "absent") + (RevExact ? $" @{Rev}" : $" @>{Rev}");
}
