namespace Doozer.Consensus.Tests.Simulation;

internal sealed record SimulationResult(int Seed, long Steps, IReadOnlyList<string> Violations, string Mix, long Decided, long NoOps, SimulationCounters Counters)
{
    public bool Passed => Violations.Count == 0;
}
