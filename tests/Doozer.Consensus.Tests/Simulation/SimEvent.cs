using Doozer.Consensus.Messages;

namespace Doozer.Consensus.Tests.Simulation;

internal enum SimEventKind
{
    Tick,
    Deliver,
    ReadyCycle,
    Restart,
    Fault,
    Heal,
    Propose,
    Retry,
    ConfigChange,
    Read,
    Isolate,
}

internal readonly record struct SimEvent(SimEventKind Kind, int Node, Message? Message = null);
