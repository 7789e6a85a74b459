namespace Doozer.TestKit.Linearizability.Tree;

/// <summary>
/// What the client saw. <see cref="Rev"/> is the file rev (<c>ETag</c>) for <see cref="FileResultKind.Found"/>, the new
/// rev for <see cref="FileResultKind.Written"/> and <see cref="FileResultKind.Deleted"/> (0: not known), and
/// <c>currentRev</c> for <see cref="FileResultKind.RevMismatch"/>. <see cref="StoreRev"/> is a read's
/// <c>Doozer-Rev</c> (0: not recorded).
/// </summary>
public readonly record struct FileResult(FileResultKind Kind, string? Value, long Rev, long StoreRev)
{
    public static FileResult Unknown { get; } = new(FileResultKind.Unknown, null, 0, 0);

    public static FileResult Found(string value, long rev, long storeRev = 0) => new(FileResultKind.Found, value, rev, storeRev);

    public static FileResult NotFound(long storeRev = 0) => new(FileResultKind.NotFound, null, 0, storeRev);

    public static FileResult Written(long rev) => new(FileResultKind.Written, null, rev, 0);

    public static FileResult Deleted(long rev = 0) => new(FileResultKind.Deleted, null, rev, 0);

    public static FileResult RevMismatch(long currentRev) => new(FileResultKind.RevMismatch, null, currentRev, 0);

    public override string ToString() => Kind switch
    {
        FileResultKind.Found => $"\"{Value}\" @{Rev}" + (StoreRev != 0 ? $" (store @{StoreRev})" : ""),
        FileResultKind.NotFound => "404" + (StoreRev != 0 ? $" (store @{StoreRev})" : ""),
        FileResultKind.Written => $"written @{Rev}",
        FileResultKind.Deleted => Rev != 0 ? $"deleted @{Rev}" : "deleted",
        FileResultKind.RevMismatch => $"412 currentRev {Rev}",
        _ => "unknown",
    };
}
