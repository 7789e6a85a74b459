namespace Doozer.TestKit.Linearizability.Tree;

/// <summary>The conditional headers of API.md section 2, evaluated at apply time on the state the write follows.</summary>
public enum FilePrecondition
{
    None,

    /// <summary><c>If-Match: "rev"</c>: only if the file exists at exactly that rev.</summary>
    IfMatch,

    /// <summary><c>If-Match: *</c>: only if the file exists.</summary>
    IfExists,

    /// <summary><c>If-None-Match: *</c>: create-only.</summary>
    IfAbsent,
}
