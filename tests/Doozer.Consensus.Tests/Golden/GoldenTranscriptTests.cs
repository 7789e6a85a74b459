using System.Runtime.CompilerServices;
using Doozer.Consensus.Messages;

namespace Doozer.Consensus.Tests.Golden;

/// <summary>
/// Readable transcripts of the main protocol paths, compared with the committed files next to this one.
/// Regenerate on purpose only: DOOZER_REGENERATE_GOLDEN=1 dotnet test tests/Doozer.Consensus.Tests --filter Golden
/// </summary>
public sealed class GoldenTranscriptTests
{
    [Fact]
    public void Election_then_a_decided_command()
    {
        var cluster = new ScriptedCluster(new Configuration([1, 2, 3]));
        cluster.Section("n1 times out and runs phase 1 once, for every slot from 1 on");
        cluster.TimeoutElection(1);
        cluster.DeliverAll();
        cluster.Section("n1 leads: one command is accepted by a majority and decided");
        cluster.Propose(1, 1, "set /a 1");
        cluster.DeliverAll();
        cluster.Section("the decided prefix reaches the followers with the next heartbeat");
        cluster.Heartbeat(1);
        cluster.DeliverAll();
        Verify("election", cluster.Transcript);
    }

    [Fact]
    public void New_leader_re_proposes_an_accepted_value()
    {
        var cluster = new ScriptedCluster(new Configuration([1, 2, 3]));
        cluster.TimeoutElection(1);
        cluster.DeliverAll();
        cluster.Section("n1 proposes r1; only n2 accepts it and n1 never hears back");
        cluster.Propose(1, 1, "set /a 1");
        cluster.DeliverAll(m => (m is Accept { To: 3 }) || m is Accepted);
        cluster.Crash(1);
        cluster.Section("n3 is elected; n2's promise reports r1 accepted in (1,n1): n3 must re-propose it, not a new value");
        cluster.MissLeader(2);
        cluster.TimeoutElection(3);
        cluster.DeliverAll();
        cluster.Heartbeat(3);
        cluster.DeliverAll();
        Verify("reproposal", cluster.Transcript);
    }

    [Fact]
    public void New_leader_fills_a_gap_with_a_no_op()
    {
        // One command per slot: the second fills a slot, so it is proposed while the first is still in flight.
        var cluster = new ScriptedCluster(new Configuration([1, 2, 3]), commandsPerSlot: 1);
        cluster.TimeoutElection(1);
        cluster.DeliverAll();
        cluster.Section("n1 proposes slots 1 and 2; the followers only get slot 2");
        cluster.Propose(1, 1, "set /a 1");
        cluster.Propose(1, 2, "set /b 2");
        cluster.DeliverAll(m => m is Accept { Slot: 1, To: not 1 } || m is Accepted);
        cluster.Crash(1);
        cluster.Section("n2 is elected; nobody in its quorum accepted slot 1: it fills slot 1 with a no-op, re-proposes slot 2");
        cluster.MissLeader(3);
        cluster.TimeoutElection(2);
        cluster.DeliverAll();
        cluster.Heartbeat(2);
        cluster.DeliverAll();
        Verify("gap-fill", cluster.Transcript);
    }

    [Fact]
    public void Voter_added_and_removed_through_the_alpha_window()
    {
        var cluster = new ScriptedCluster(new Configuration([1, 2, 3], [4]), alpha: 2);
        cluster.TimeoutElection(1);
        cluster.DeliverAll();
        cluster.Section("slot 1 adds n4 as a voter: it governs slot 3 on (alpha 2); slot 2 still needs 2 of {n1,n2,n3}");
        cluster.Propose(1, 1, "add-voter 4");
        cluster.DeliverAll();
        cluster.Propose(1, 2, "set /a 1");
        cluster.DeliverAll();
        cluster.Section("slot 3 needs 3 of {n1,n2,n3,n4}");
        cluster.Propose(1, 3, "remove-voter 2");
        cluster.DeliverAll();
        cluster.Section("slot 3 removed n2: slot 4 still needs 3 of {n1,n2,n3,n4}, slot 5 on needs 2 of {n1,n3,n4}");
        cluster.Propose(1, 4, "set /b 2");
        cluster.DeliverAll();
        cluster.Propose(1, 5, "set /c 3");
        cluster.DeliverAll();
        cluster.Heartbeat(1);
        cluster.DeliverAll();
        Verify("membership-alpha", cluster.Transcript);
    }

    private static void Verify(string name, string actual, [CallerFilePath] string here = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(here)!, name + ".txt");
        if (Environment.GetEnvironmentVariable("DOOZER_REGENERATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"missing golden file {path}; generate it with DOOZER_REGENERATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
