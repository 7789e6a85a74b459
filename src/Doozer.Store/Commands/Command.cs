namespace Doozer.Store.Commands;

/// <summary>
/// A command decided by the log and applied to the tree. Applying is deterministic: a command carries everything
/// it needs (no clock, no node-local setting is read at apply time).
/// </summary>
public abstract record Command
{
    /// <summary>Who issued it: client commands may not write under /ctl except the voter slots.</summary>
    public CommandOrigin Origin { get; init; } = CommandOrigin.Client;
}

public enum CommandOrigin : byte
{
    Client = 0,
    Cluster = 1,
}

/// <summary>Write <see cref="Value"/> at a file path, creating missing parent directories.</summary>
public sealed record SetCommand(string Path, ReadOnlyMemory<byte> Value, Precondition Precondition) : Command;

/// <summary>Delete one file.</summary>
public sealed record DeleteCommand(string Path, Precondition Precondition) : Command;

/// <summary>Delete a file or a whole directory subtree at one revision.</summary>
public sealed record DeleteTreeCommand(string Path) : Command;

/// <summary>Changes nothing; a barrier through the log.</summary>
public sealed record NopCommand : Command;
