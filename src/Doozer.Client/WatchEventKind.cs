namespace Doozer.Client;

/// <summary>What a change did to a file.</summary>
public enum WatchEventKind
{
    /// <summary>The file was written.</summary>
    Set,

    /// <summary>The file was deleted.</summary>
    Delete,
}
