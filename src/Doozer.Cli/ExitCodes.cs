namespace Doozer.Cli;

/// <summary>The tool's exit codes (CLIENTS.md section 1), the ones original doozer's help promised.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A failed condition: <c>add</c> of an existing file, <c>set</c>/<c>del</c> with a stale rev.</summary>
    public const int RevMismatch = 1;

    /// <summary>Any other error; the message goes to stderr as <c>Error: ...</c>.</summary>
    public const int Error = 2;

    /// <summary>An unknown command or bad arguments.</summary>
    public const int Usage = 127;
}
