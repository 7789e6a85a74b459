using Doozer.Consensus.Messages;

namespace Doozer.Consensus.Bench;

/// <summary>
/// Replicas wired back to back on one thread: messages are delivered in order, nothing is lost, "persisting" is
/// free. What remains is the cost of the consensus core itself.
/// </summary>
public sealed class InMemoryCluster
{
    private readonly Replica[] replicas;
    private readonly Queue<Message> network = new();
    private long appliedCommands;

    public InMemoryCluster(int size, int maxCommandsPerSlot, int alpha)
    {
        var configuration = new Configuration(Enumerable.Range(1, size));
        replicas = new Replica[size + 1];
        for (var id = 1; id <= size; id++)
        {
            replicas[id] = new Replica(new ReplicaOptions
            {
                NodeId = id,
                InitialConfiguration = configuration,
                Alpha = alpha,
                MaxCommandsPerSlot = maxCommandsPerSlot,
            }, new Random(id));
        }
    }

    public Replica Leader => replicas[1];

    public long AppliedCommands => appliedCommands;

    public void ElectFirstLeader()
    {
        while (Leader.Role != Role.Candidate)
            Leader.Tick();
        RunUntilQuiet();
        if (Leader.Role != Role.Leader)
            throw new InvalidOperationException("n1 did not become leader");
    }

    /// <summary>Persist (nothing to do in memory), send, apply and advance on every replica until all is quiet.</summary>
    public void RunUntilQuiet()
    {
        bool busy;
        do
        {
            busy = false;
            for (var id = 1; id < replicas.Length; id++)
            {
                var replica = replicas[id];
                while (replica.HasReady)
                {
                    busy = true;
                    var ready = replica.GetReady();
                    foreach (var message in ready.Messages)
                        network.Enqueue(message);
                    foreach (var slot in ready.Decided)
                    {
                        if (id == 1)
                            appliedCommands += slot.Value.Commands.Length;
                    }
                    replica.Advance();
                }
            }
            while (network.TryDequeue(out var message))
            {
                busy = true;
                replicas[message.To].Step(message);
            }
        }
        while (busy);
    }

    public void CompactAll()
    {
        for (var id = 1; id < replicas.Length; id++)
            replicas[id].Compact(replicas[id].Applied);
    }
}
