namespace Doozer.Store.Commands;

public enum PreconditionKind : byte
{
    /// <summary>Unconditional.</summary>
    None = 0,
    /// <summary>If-Match: * — only if the file exists.</summary>
    Exists = 1,
    /// <summary>If-None-Match: * — only if the path does not exist.</summary>
    Missing = 2,
    /// <summary>If-Match: "r1", "r2" — only if the file's rev is one of <see cref="Precondition.Revs"/> (possibly none).</summary>
    RevIn = 3,
}

/// <summary>A compare-and-set condition, evaluated at apply time on the state the write is ordered after.</summary>
public readonly record struct Precondition(PreconditionKind Kind, long[]? Revs = null)
{
    public static Precondition None => default;
    public static Precondition Exists => new(PreconditionKind.Exists);
    public static Precondition Missing => new(PreconditionKind.Missing);
    public static Precondition RevIs(long rev) => new(PreconditionKind.RevIn, [rev]);
}
