namespace Doozer.TestKit.Linearizability.Tree;

/// <summary>
/// One request on one path. Values are compared as strings: cluster tests write unique, readable values
/// (<c>"c3-17"</c>) so that a counterexample names the write a read saw.
/// </summary>
public readonly record struct FileInput(string Path, FileOperationKind Kind, string? Value, FilePrecondition Precondition, long MatchRev)
{
    public static FileInput Read(string path) => new(path, FileOperationKind.Read, null, FilePrecondition.None, 0);

    public static FileInput Write(string path, string value) => new(path, FileOperationKind.Write, value, FilePrecondition.None, 0);

    public static FileInput WriteIfMatch(string path, string value, long rev) => new(path, FileOperationKind.Write, value, FilePrecondition.IfMatch, rev);

    public static FileInput WriteIfExists(string path, string value) => new(path, FileOperationKind.Write, value, FilePrecondition.IfExists, 0);

    public static FileInput Create(string path, string value) => new(path, FileOperationKind.Write, value, FilePrecondition.IfAbsent, 0);

    public static FileInput Delete(string path) => new(path, FileOperationKind.Delete, null, FilePrecondition.None, 0);

    public static FileInput DeleteIfMatch(string path, long rev) => new(path, FileOperationKind.Delete, null, FilePrecondition.IfMatch, rev);

    public override string ToString()
    {
        var condition = Precondition switch
        {
            FilePrecondition.IfMatch => $" If-Match {MatchRev}",
            FilePrecondition.IfExists => " If-Match *",
            FilePrecondition.IfAbsent => " If-None-Match *",
            _ => "",
        };
        return Kind switch
        {
            FileOperationKind.Read => $"GET {Path}",
            FileOperationKind.Write => $"PUT {Path} \"{Value}\"{condition}",
            _ => $"DELETE {Path}{condition}",
        };
    }
}
