namespace Doozer.Consensus;

// Configuration is data: the caller applies decided slots and reports the voters they produce. The configuration
// reported after applying slot s governs slot s + alpha; the one before the first change governs everything earlier.
public sealed partial class Replica
{
    private readonly List<ConfigurationChange> configurations = [];
    private int[] members = [];

    // Voters that a decided configuration known here removed and no later one brought back, kept across trimming of
    // the history. Their ballots are refused unless they come from the leader this replica follows (see OnPrepare);
    // refusing a promise is always safe, and forgetting one (after a restart) only loses that protection.
    private readonly HashSet<int> removedVoters = [];

    // Slots up to here are proposed (as no-ops when nothing else waits) so the latest configuration takes effect.
    private long fillThrough;

    public Configuration LatestConfiguration => configurations[^1].Configuration;

    /// <summary>
    /// After applying <paramref name="appliedSlot"/> the configuration is <paramref name="configuration"/>. Call it
    /// while applying a Ready's decided slots, before <see cref="Advance"/>, for each slot that changed it.
    /// </summary>
    public void ReportConfiguration(long appliedSlot, Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var latest = configurations[^1];
        if (appliedSlot < latest.AppliedSlot || latest.Configuration.SameMembers(configuration))
            return;
        if (appliedSlot == latest.AppliedSlot && configurations.Count > 1)
            configurations[^1] = new ConfigurationChange(appliedSlot, configuration);
        else
            configurations.Add(new ConfigurationChange(appliedSlot, configuration));
        RecomputeMembers();
        // The new voters govern only from appliedSlot + alpha on. Until then the old voters' quorum is still needed,
        // so a leader fills the window with no-ops at once: otherwise a change on a quiet cluster would wait for
        // alpha more writes, and losing an old voter meanwhile (say the only one) would stall the cluster for good.
        fillThrough = Math.Max(fillThrough, appliedSlot + options.Alpha);
    }

    /// <summary>The configurations this replica knows, oldest first (what a snapshot must carry).</summary>
    public IReadOnlyList<ConfigurationChange> Configurations => configurations;

    // The voters of a slot are fixed once slot - alpha is applied; before that a later change could still govern it.
    private bool KnowsConfigurationFor(long slot) => slot <= applied + options.Alpha;

    private Configuration ConfigurationFor(long slot)
    {
        for (var i = configurations.Count - 1; i > 0; i--)
        {
            if (configurations[i].AppliedSlot + options.Alpha <= slot)
                return configurations[i].Configuration;
        }
        return configurations[0].Configuration;
    }

    private void TrimConfigurations()
    {
        // Keep the configuration governing the first undecided slot and everything after it.
        while (configurations.Count > 1 && configurations[1].AppliedSlot + options.Alpha <= commit + 1 &&
               configurations[1].AppliedSlot <= snapshotSlot)
            configurations.RemoveAt(0);
    }

    /// <summary>True when a decided configuration known here removed <paramref name="node"/> as a voter for good.</summary>
    private bool WasRemovedAsVoter(int node) => removedVoters.Contains(node);

    private void RecomputeMembers()
    {
        for (var i = 1; i < configurations.Count; i++)
        {
            foreach (var voter in configurations[i - 1].Configuration.Voters)
            {
                if (!configurations[i].Configuration.IsVoter(voter))
                    removedVoters.Add(voter);
            }
        }
        removedVoters.ExceptWith(LatestConfiguration.Voters);
        var all = new SortedSet<int>();
        foreach (var change in configurations)
        {
            all.UnionWith(change.Configuration.Voters);
            all.UnionWith(change.Configuration.Learners);
        }
        all.Remove(Id);
        members = [.. all];
    }
}
