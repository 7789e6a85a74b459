namespace Doozer.TestKit.Linearizability.Tree;

public enum FileResultKind
{
    /// <summary>Read: 200 with the value and its <c>ETag</c> rev.</summary>
    Found,

    /// <summary>Read or delete: 404.</summary>
    NotFound,

    /// <summary>Write: 200/201 with the new rev.</summary>
    Written,

    /// <summary>Delete: 204 (with the <c>Doozer-Rev</c> it committed at, if the client kept it).</summary>
    Deleted,

    /// <summary>Conditional write or delete: 412 with <c>currentRev</c>.</summary>
    RevMismatch,

    /// <summary>No answer (timeout, connection lost, 503 after forwarding): the operation may or may not have committed.</summary>
    Unknown,
}
