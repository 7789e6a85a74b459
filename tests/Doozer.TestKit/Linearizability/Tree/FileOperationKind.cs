namespace Doozer.TestKit.Linearizability.Tree;

public enum FileOperationKind
{
    /// <summary>A linearizable <c>GET /tree/{path}</c> of a file.</summary>
    Read,

    /// <summary><c>PUT /tree/{path}</c>.</summary>
    Write,

    /// <summary><c>DELETE /tree/{path}</c> of a file (not recursive).</summary>
    Delete,
}
