namespace Doozer.Consensus;

/// <summary>
/// The value of one slot: a batch of commands (group commit). An empty batch is the no-op a new leader uses to fill
/// a gap. Immutable once built; one instance may be shared by every replica of an in-memory cluster.
/// </summary>
public sealed class SlotValue
{
    public static SlotValue NoOp { get; } = new([]);

    public SlotValue(Command[] commands) => Commands = commands;

    public Command[] Commands { get; }

    public bool IsNoOp => Commands.Length == 0;

    /// <summary>The commands' payload bytes: what sending the value costs, near enough.</summary>
    public long PayloadBytes
    {
        get
        {
            long bytes = 0;
            foreach (var command in Commands)
                bytes += command.Payload.Length;
            return bytes;
        }
    }

    /// <summary>Equality by content (request ids and payload bytes), for checks that compare values across replicas.</summary>
    public bool SameAs(SlotValue other)
    {
        if (ReferenceEquals(this, other))
            return true;
        if (Commands.Length != other.Commands.Length)
            return false;
        for (var i = 0; i < Commands.Length; i++)
        {
            if (Commands[i].RequestId != other.Commands[i].RequestId ||
                !Commands[i].Payload.Span.SequenceEqual(other.Commands[i].Payload.Span))
                return false;
        }
        return true;
    }

    public override string ToString() =>
        IsNoOp ? "no-op" : "[" + string.Join(",", Commands.Select(c => "r" + c.RequestId)) + "]";
}
