using BenchmarkDotNet.Attributes;

namespace Doozer.Consensus.Bench;

/// <summary>
/// Commands proposed at the leader of a 3-replica in-memory cluster and decided, batched into slots (group commit).
/// One operation is one command.
/// </summary>
[MemoryDiagnoser]
public class ProposalThroughput
{
    private const int CommandsPerSlot = 1024;
    private const int SlotsPerInvoke = 64;
    private const int CommandsPerInvoke = CommandsPerSlot * SlotsPerInvoke;

    private readonly byte[] payload = new byte[32];
    private InMemoryCluster cluster = null!;
    private long nextRequest;

    [GlobalSetup]
    public void Setup()
    {
        cluster = new InMemoryCluster(3, CommandsPerSlot, alpha: 32);
        cluster.ElectFirstLeader();
    }

    [Benchmark(OperationsPerInvoke = CommandsPerInvoke)]
    public long ProposeAndDecide()
    {
        var leader = cluster.Leader;
        for (var slot = 0; slot < SlotsPerInvoke; slot++)
        {
            for (var i = 0; i < CommandsPerSlot; i++)
                leader.Propose(++nextRequest, payload);
            cluster.RunUntilQuiet();
        }
        // Compaction keeps memory flat over millions of slots; a real node does it after each snapshot.
        cluster.CompactAll();
        return cluster.AppliedCommands;
    }
}
