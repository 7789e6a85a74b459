namespace Doozer.Client;

/// <summary>One change of one file, from <see cref="DoozerClient.WatchAsync"/> or <see cref="DoozerClient.WaitAsync"/>.</summary>
/// <param name="Rev">The revision of the change.</param>
/// <param name="Path">The file changed.</param>
/// <param name="Kind">Set or deleted.</param>
/// <param name="Value">The new bytes of a set; empty for a delete.</param>
public sealed record WatchEvent(long Rev, string Path, WatchEventKind Kind, byte[] Value)
{
    /// <summary><c>set</c> or <c>del</c>, as the wire and the <c>doozer</c> tool name the kind.</summary>
    public string KindName => Kind == WatchEventKind.Set ? "set" : "del";
}
