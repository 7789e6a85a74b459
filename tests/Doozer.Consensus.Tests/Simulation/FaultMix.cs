namespace Doozer.Consensus.Tests.Simulation;

/// <summary>The cluster shape and the faults one seed draws. Times are in simulation units; a tick is 10 units.</summary>
internal sealed record FaultMix(
    int Voters,
    int Learners,
    int Alpha,
    double DropRate,
    double DuplicateRate,
    int MaxDelay,
    int FaultEvery,
    int ProposeEvery,
    int ReadEvery,
    int ConfigChangeEvery,
    int SnapshotEvery)
{
    public static FaultMix Draw(Random random) => new(
        Voters: random.Next(2) == 0 ? 3 : 5,
        Learners: 1 + random.Next(2),
        Alpha: 2 + random.Next(7),
        DropRate: random.Next(3) == 0 ? 0 : random.NextDouble() * 0.15,
        DuplicateRate: random.Next(3) == 0 ? 0 : random.NextDouble() * 0.1,
        MaxDelay: 2 + random.Next(35),
        FaultEvery: 60 + random.Next(400),
        ProposeEvery: 5 + random.Next(40),
        ReadEvery: 20 + random.Next(100),
        ConfigChangeEvery: 150 + random.Next(500),
        SnapshotEvery: 8 + random.Next(30));

    public override string ToString() =>
        $"{Voters} voters + {Learners} learners, alpha {Alpha}, drop {DropRate:0.00}, dup {DuplicateRate:0.00}, " +
        $"delay <= {MaxDelay}, fault every {FaultEvery}";
}
