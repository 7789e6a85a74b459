namespace Doozer.Consensus.Tests.Simulation;

/// <summary>How much of each path a run exercised, so a green run can be told apart from one that did nothing.</summary>
internal sealed class SimulationCounters
{
    public long Crashes { get; set; }

    public long ReadsGranted { get; set; }

    public long SnapshotsInstalled { get; set; }

    public long ConfigurationChanges { get; set; }

    public long Elections { get; set; }

    public void Add(SimulationCounters other)
    {
        Crashes += other.Crashes;
        ReadsGranted += other.ReadsGranted;
        SnapshotsInstalled += other.SnapshotsInstalled;
        ConfigurationChanges += other.ConfigurationChanges;
        Elections += other.Elections;
    }

    public override string ToString() =>
        $"{Elections} elections, {Crashes} crashes, {ConfigurationChanges} configuration changes, " +
        $"{SnapshotsInstalled} snapshots installed, {ReadsGranted} reads granted";
}
