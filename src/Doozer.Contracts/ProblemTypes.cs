namespace Doozer.Contracts;

/// <summary>
/// The stable problem <c>type</c> URIs of Doozer's errors (API.md section 4). Clients switch on these, never on titles.
/// </summary>
public static class ProblemTypes
{
    /// <summary>A path that is not <c>/</c> or <c>/name(/name)*</c> with valid names.</summary>
    public const string BadPath = "/problems/bad-path";
    /// <summary>A missing or malformed glob.</summary>
    public const string BadGlob = "/problems/bad-glob";
    /// <summary>A malformed header or query value, or a value out of its documented range.</summary>
    public const string BadRequest = "/problems/bad-request";
    /// <summary>No file or directory at the path, or an unknown route.</summary>
    public const string NotFound = "/problems/not-found";
    /// <summary>The path is a directory where a file was needed.</summary>
    public const string IsDir = "/problems/is-dir";
    /// <summary>An ancestor of the path is a file, or a file was asked for as a directory.</summary>
    public const string NotDir = "/problems/not-dir";
    /// <summary>A precondition (<c>If-Match</c>, <c>If-None-Match</c>) failed; see <c>currentRev</c>.</summary>
    public const string RevMismatch = "/problems/rev-mismatch";
    /// <summary>The value is larger than the node's <c>--max-value-bytes</c>.</summary>
    public const string ValueTooLarge = "/problems/value-too-large";
    /// <summary>The revision asked for is below the history window.</summary>
    public const string TooLate = "/problems/too-late";
    /// <summary>The node did not reach the revision asked for in time.</summary>
    public const string Timeout = "/problems/timeout";
    /// <summary>A majority of voters cannot be reached; retry after <c>Retry-After</c>.</summary>
    public const string NoQuorum = "/problems/no-quorum";
    /// <summary>A client write under <c>/ctl</c> other than a voter slot.</summary>
    public const string ReadOnlyPath = "/problems/read-only-path";
    /// <summary>No valid secret was presented.</summary>
    public const string Unauthorized = "/problems/unauthorized";
    /// <summary>The secret presented does not allow this request (a read-only secret on a write).</summary>
    public const string Forbidden = "/problems/forbidden";
    /// <summary>The route exists but not for this method; see <c>Allow</c>.</summary>
    public const string MethodNotAllowed = "/problems/method-not-allowed";
}
