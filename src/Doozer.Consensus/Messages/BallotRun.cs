namespace Doozer.Consensus.Messages;

/// <summary>
/// Slots <see cref="FirstSlot"/> through <see cref="LastSlot"/>, all accepted in <see cref="Ballot"/>: how a candidate
/// names the acceptances it holds without their values (see <see cref="Prepare.Holding"/>).
/// </summary>
public readonly record struct BallotRun(long FirstSlot, long LastSlot, Ballot Ballot)
{
    /// <summary>
    /// Whether <paramref name="runs"/> (ascending and disjoint, as <see cref="Of"/> makes them) hold
    /// <paramref name="slot"/> accepted in <paramref name="ballot"/>.
    /// </summary>
    public static bool Covers(BallotRun[] runs, long slot, Ballot ballot)
    {
        var low = 0;
        var high = runs.Length - 1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            var run = runs[middle];
            if (slot < run.FirstSlot)
                high = middle - 1;
            else if (slot > run.LastSlot)
                low = middle + 1;
            else
                return run.Ballot == ballot;
        }
        return false;
    }

    /// <summary>The acceptances from <paramref name="firstSlot"/> on, as ascending runs of consecutive slots in one ballot.</summary>
    public static BallotRun[] Of(IEnumerable<AcceptedEntry> accepted, long firstSlot)
    {
        var held = accepted.Where(e => e.Slot >= firstSlot).OrderBy(e => e.Slot).ToList();
        var runs = new List<BallotRun>();
        foreach (var entry in held)
        {
            if (runs.Count > 0 && runs[^1].LastSlot == entry.Slot - 1 && runs[^1].Ballot == entry.Ballot)
                runs[^1] = runs[^1] with { LastSlot = entry.Slot };
            else
                runs.Add(new BallotRun(entry.Slot, entry.Slot, entry.Ballot));
        }
        return [.. runs];
    }
}
