namespace Doozer.Contracts;

/// <summary>Names of the HTTP headers that carry Doozer's revisions and kinds (API.md section 2).</summary>
public static class DoozerHeaders
{
    /// <summary>The store revision a read was served at, or a write committed at.</summary>
    public const string Rev = "Doozer-Rev";

    /// <summary><c>file</c> or <c>dir</c>: what a tree path is.</summary>
    public const string Kind = "Doozer-Kind";
}
