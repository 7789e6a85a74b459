using Doozer.Consensus.Messages;

namespace Doozer.Consensus.Tests;

public sealed class ReplicaTests
{
    private static Replica Single(int id, Configuration configuration) =>
        new(new ReplicaOptions { NodeId = id, InitialConfiguration = configuration }, new Random(id));

    /// <summary>What one cycle handed out, copied: a Ready's lists are cleared and reused on Advance.</summary>
    private sealed record Cycle(List<Message> Messages, List<DecidedSlot> Decided, List<ReadGrant> ReadGrants);

    private static List<Cycle> Drain(Replica replica)
    {
        var seen = new List<Cycle>();
        while (replica.HasReady)
        {
            var ready = replica.GetReady();
            seen.Add(new Cycle([.. ready.Messages], [.. ready.Decided], [.. ready.ReadGrants]));
            replica.Advance();
        }
        return seen;
    }

    [Fact]
    public void A_single_voter_elects_itself_and_decides_a_command_carrying_its_request_id()
    {
        var replica = Single(1, new Configuration([1]));
        while (replica.Role != Role.Leader)
        {
            replica.Tick();
            Drain(replica);
        }
        Assert.True(replica.Propose(42, new byte[] { 7 }));
        var decided = new List<DecidedSlot>();
        while (replica.HasReady)
        {
            var ready = replica.GetReady();
            decided.AddRange(ready.Decided);
            replica.Advance();
        }
        var slot = Assert.Single(decided);
        Assert.Equal(42, Assert.Single(slot.Value.Commands).RequestId);
    }

    [Fact]
    public void The_promise_of_a_new_ballot_is_handed_out_to_persist_before_any_prepare_is_sent()
    {
        var replica = Single(1, new Configuration([1, 2, 3]));
        while (replica.Role != Role.Candidate)
            replica.Tick();
        var ready = replica.GetReady();
        Assert.Equal(replica.CurrentBallot, ready.Promised);
        Assert.Contains(ready.Messages, m => m is Prepare);
        replica.Advance();
    }

    [Fact]
    public void A_learner_never_starts_an_election()
    {
        var learner = Single(4, new Configuration([1, 2, 3], [4]));
        for (var i = 0; i < 1000; i++)
        {
            learner.Tick();
            Assert.DoesNotContain(Drain(learner).SelectMany(r => r.Messages), m => m is Prepare);
        }
        Assert.Equal(Role.Follower, learner.Role);
    }

    [Fact]
    public void Proposing_without_a_known_leader_is_refused_so_the_caller_retries()
    {
        var replica = Single(2, new Configuration([1, 2, 3]));
        Assert.False(replica.Propose(1, new byte[] { 1 }));
    }

    [Fact]
    public void A_new_ready_cannot_be_taken_before_the_previous_one_is_advanced()
    {
        var replica = Single(1, new Configuration([1, 2, 3]));
        while (replica.Role != Role.Candidate)
            replica.Tick();
        replica.GetReady();
        Assert.Throws<InvalidOperationException>(() => replica.GetReady());
    }

    [Fact]
    public void An_acceptor_rejects_a_lower_ballot_and_never_lowers_its_promise()
    {
        var acceptor = Single(2, new Configuration([1, 2, 3]));
        acceptor.Step(new Prepare(3, 2, new Ballot(5, 3), 1));
        acceptor.Step(new Prepare(1, 2, new Ballot(4, 1), 1));
        var ready = acceptor.GetReady();
        Assert.Equal(new Ballot(5, 3), acceptor.Promised);
        Assert.Contains(ready.Messages, m => m is Rejected { To: 1 } r && r.Promised == new Ballot(5, 3));
        acceptor.Advance();
    }

    /// <summary>Node 2 of voters {1, 2, 3}, having promised ballot (5, n1) and heard leader 1's heartbeat.</summary>
    private static Replica FollowingLeader1()
    {
        var acceptor = Single(2, new Configuration([1, 2, 3]));
        acceptor.Step(new Prepare(1, 2, new Ballot(5, 1), 1));
        acceptor.Step(new Heartbeat(1, 2, new Ballot(5, 1), 0, 0));
        Drain(acceptor);
        return acceptor;
    }

    [Fact]
    public void While_it_hears_a_live_leader_an_acceptor_promises_no_one_else_a_higher_ballot()
    {
        // Node 3 cannot hear leader 1 (cut off, or evicted while away); node 2 can. Promising 3 would depose 1.
        var acceptor = FollowingLeader1();
        Assert.Equal(1, acceptor.LeaderId);
        acceptor.Step(new Prepare(3, 2, new Ballot(50, 3), 1));
        Assert.Equal(new Ballot(5, 1), acceptor.Promised);
        Assert.DoesNotContain(Drain(acceptor).SelectMany(c => c.Messages), m => m is Promise or Rejected);
        Assert.Equal(1, acceptor.LeaderId);

        // Once the leader has been silent for an election timeout, the higher ballot is promised.
        for (var i = 0; i < 10; i++) // ReplicaOptions.ElectionTicks, the default
            acceptor.Tick();
        Drain(acceptor);
        acceptor.Step(new Prepare(3, 2, new Ballot(50, 3), 1));
        Assert.Equal(new Ballot(50, 3), acceptor.Promised);
        Assert.Contains(Drain(acceptor).SelectMany(c => c.Messages), m => m is Promise { To: 3 });
    }

    [Fact]
    public void A_removed_voter_gets_no_promise_even_once_the_leader_has_been_silent_until_a_configuration_brings_it_back()
    {
        // Node 3 was evicted while cut off and node 4 took its slot; back, 3 still believes it votes and stands. Leader
        // 1 then stalls for an election timeout (a pause, a loaded machine): 3's ballot must still not be promised.
        var acceptor = FollowingLeader1();
        acceptor.ReportConfiguration(1, new Configuration([1, 2, 4]));
        for (var i = 0; i < 10; i++) // ReplicaOptions.ElectionTicks, the default
            acceptor.Tick();
        Drain(acceptor);

        acceptor.Step(new Prepare(3, 2, new Ballot(50, 3), 1));
        Assert.Equal(new Ballot(5, 1), acceptor.Promised);
        Assert.DoesNotContain(Drain(acceptor).SelectMany(c => c.Messages), m => m is Promise or Rejected);
        Assert.Equal(1, acceptor.LeaderId);

        // A voter of the configuration in force is promised as before, and a later configuration can bring 3 back.
        acceptor.Step(new Prepare(4, 2, new Ballot(60, 4), 1));
        Assert.Equal(new Ballot(60, 4), acceptor.Promised);
        Assert.Contains(Drain(acceptor).SelectMany(c => c.Messages), m => m is Promise { To: 4 });
        acceptor.ReportConfiguration(2, new Configuration([1, 2, 3]));
        acceptor.Step(new Prepare(3, 2, new Ballot(70, 3), 1));
        Assert.Equal(new Ballot(70, 3), acceptor.Promised);
    }

    /// <summary><see cref="FollowingLeader1"/>, having accepted slots 1-3 from leader 1 in ballot (5, n1), none decided.</summary>
    private static Replica HoldingThreeSlots()
    {
        var acceptor = FollowingLeader1();
        for (var slot = 1; slot <= 3; slot++)
            acceptor.Step(new Accept(1, 2, new Ballot(5, 1), slot, new SlotValue([new Command(slot, new[] { (byte)slot })]), 0));
        Drain(acceptor);
        return acceptor;
    }

    [Fact]
    public void A_promise_leaves_out_what_the_candidate_holds_in_the_same_ballot_and_only_that()
    {
        // Node 1 stands again: it holds slots 1-2 in the ballot node 2 accepted them in, slot 3 in an older one.
        var acceptor = HoldingThreeSlots();
        acceptor.Step(new Prepare(1, 2, new Ballot(6, 1), 1)
        {
            Holding = [new BallotRun(1, 2, new Ballot(5, 1)), new BallotRun(3, 3, new Ballot(4, 1))],
        });
        var promise = Assert.Single(Drain(acceptor).SelectMany(c => c.Messages).OfType<Promise>());
        Assert.Equal([3L], promise.Accepted.Select(e => e.Slot));
        Assert.Equal(new Ballot(5, 1), promise.Accepted[0].Ballot);

        // Without a holding every acceptance travels, as before.
        acceptor.Step(new Prepare(1, 2, new Ballot(7, 1), 1));
        promise = Assert.Single(Drain(acceptor).SelectMany(c => c.Messages).OfType<Promise>());
        Assert.Equal([1L, 2L, 3L], promise.Accepted.Select(e => e.Slot).Order());
    }

    [Fact]
    public void A_candidate_names_its_acceptances_and_re_proposes_them_when_every_promise_leaves_them_out()
    {
        // Node 2 holds slots 1-3; leader 1 falls silent and 2 stands. Node 3 holds the same, so its promise is empty:
        // the values must come from 2's own acceptances, or it would fill slots 1-3 with no-ops.
        var candidate = HoldingThreeSlots();
        while (candidate.Role != Role.Candidate)
            candidate.Tick();
        var prepare = Drain(candidate).SelectMany(c => c.Messages).OfType<Prepare>().First(p => p.To == 3);
        Assert.Equal([new BallotRun(1, 3, new Ballot(5, 1))], prepare.Holding);

        candidate.Step(new Promise(3, 2, prepare.Ballot, prepare.FirstSlot, [], [], 0));
        var accepts = AcceptsTo(candidate, 3);
        Assert.Equal(Role.Leader, candidate.Role);
        Assert.Equal([1L, 2L, 3L], accepts.Select(a => a.Slot).Order());
        Assert.All(accepts, a => Assert.Equal([a.Slot], a.Value.Commands.Select(c => c.RequestId)));
    }

    [Fact]
    public void A_candidate_more_than_an_alpha_window_behind_is_promised_but_the_replica_ahead_still_stands_itself()
    {
        // Node 2 has 40 slots decided; leader 1 then falls silent. Node 3 comes back having learned none of them.
        var acceptor = FollowingLeader1();
        for (var slot = 1; slot <= 40; slot++)
            acceptor.Step(new Accept(1, 2, new Ballot(5, 1), slot, SlotValue.NoOp, slot));
        acceptor.Step(new Heartbeat(1, 2, new Ballot(5, 1), 40, 0));
        Drain(acceptor);
        Assert.Equal(40, acceptor.Commit);
        LeaderFallsSilent(acceptor);

        // 40 slots behind, more than alpha (32): promised, but every resend of the Prepare leaves 2's timer running.
        Assert.True(StandsWhileResent(acceptor, new Prepare(3, 2, new Ballot(50, 3), 1)));
        Assert.True(acceptor.Promised > new Ballot(50, 3));

        // Within the window a candidate's Prepare holds the timer back, as before.
        var near = FollowingLeader1();
        near.Step(new Heartbeat(1, 2, new Ballot(5, 1), 0, 0));
        LeaderFallsSilent(near);
        Assert.False(StandsWhileResent(near, new Prepare(3, 2, new Ballot(50, 3), 1)));
    }

    /// <summary>Ticks an election timeout (ReplicaOptions.ElectionTicks, the default) without a word from the leader.</summary>
    private static void LeaderFallsSilent(Replica replica)
    {
        for (var i = 0; i < 10; i++)
            replica.Tick();
        Drain(replica);
    }

    /// <summary>
    /// A candidate resends <paramref name="prepare"/> every tick, for 40 ticks, and each is promised; true as soon as
    /// the acceptor stands itself instead.
    /// </summary>
    private static bool StandsWhileResent(Replica acceptor, Prepare prepare)
    {
        for (var ticks = 0; ticks < 40; ticks++)
        {
            acceptor.Step(prepare);
            Assert.Contains(Drain(acceptor).SelectMany(c => c.Messages), m => m is Promise p && p.To == prepare.From);
            acceptor.Tick();
            Drain(acceptor);
            if (acceptor.Role == Role.Candidate)
                return true;
        }
        return false;
    }

    /// <summary>A decided slot holding one command of <paramref name="mebibytes"/> MiB.</summary>
    private static SlotValue Megabytes(long requestId, int mebibytes) => new([new Command(requestId, new byte[mebibytes * 1024 * 1024])]);

    /// <summary>Node 2 of voters {1, 2, 3} following leader 1, with slots 1-5 decided, each holding 1 MiB.</summary>
    private static Replica FiveMegabytesDecided()
    {
        var acceptor = FollowingLeader1();
        for (var slot = 1; slot <= 5; slot++)
            acceptor.Step(new Accept(1, 2, new Ballot(5, 1), slot, Megabytes(slot, 1), slot));
        acceptor.Step(new Heartbeat(1, 2, new Ballot(5, 1), 5, 0));
        Drain(acceptor);
        Assert.Equal(5, acceptor.Commit);
        return acceptor;
    }

    [Fact]
    public void A_candidate_within_the_alpha_window_that_lacks_more_than_a_slot_of_bytes_does_not_hold_the_replica_ahead_back()
    {
        // Five slots behind (well within alpha), but the promise to it carries 5 MiB of values (twice: accepted and
        // decided), more than a slot's 4 MiB: its resent Prepares leave 2's timer running, so 2 stands itself.
        var acceptor = FiveMegabytesDecided();
        LeaderFallsSilent(acceptor);
        Assert.True(StandsWhileResent(acceptor, new Prepare(3, 2, new Ballot(50, 3), 1)));

        // A candidate that lacks only the last slot (1 MiB, twice) holds the timer back, as before.
        var near = FiveMegabytesDecided();
        LeaderFallsSilent(near);
        Assert.False(StandsWhileResent(near, new Prepare(3, 2, new Ballot(50, 3), 5)));
    }

    [Fact]
    public void A_candidate_that_learns_another_knows_more_decided_slots_stops_standing_and_gives_it_a_head_start()
    {
        // Node 3 (commit 0) stands; node 2 stands too, with slots 1-5 decided (its Prepare starts at 6) but a lower
        // ballot. Node 3 refuses the ballot, as ever, and stops standing: it waits an extra two election timeouts.
        Replica Standing()
        {
            var replica = Single(3, new Configuration([1, 2, 3]));
            while (replica.Role != Role.Candidate)
                replica.Tick();
            Drain(replica);
            return replica;
        }
        var laggard = Standing();
        var lower = new Ballot(laggard.CurrentBallot.Round, 2);
        laggard.Step(new Prepare(2, 3, lower, 6));
        Assert.Contains(Drain(laggard).SelectMany(c => c.Messages), m => m is Rejected { To: 2 });
        Assert.Equal(Role.Follower, laggard.Role);
        for (var i = 0; i < 30; i++) // 3 x ReplicaOptions.ElectionTicks: its timeout plus the head start, at least
        {
            laggard.Tick();
            Drain(laggard);
            Assert.NotEqual(Role.Candidate, laggard.Role);
        }

        // A candidate no further on (its Prepare starts right after this commit) changes nothing of the kind.
        var peer = Standing();
        peer.Step(new Prepare(2, 3, new Ballot(peer.CurrentBallot.Round, 2), 1));
        Assert.Contains(Drain(peer).SelectMany(c => c.Messages), m => m is Rejected { To: 2 });
        Assert.Equal(Role.Candidate, peer.Role);
    }

    [Fact]
    public void A_fetch_is_answered_with_at_most_about_max_fetch_bytes_and_a_larger_value_still_goes_alone()
    {
        var replica = FiveMegabytesDecided();
        replica.Step(new FetchDecided(3, 2, 1, 5));
        var answer = Assert.Single(Drain(replica).SelectMany(c => c.Messages).OfType<DecidedValues>());
        Assert.Equal(1, answer.FirstSlot);
        Assert.Equal(4, answer.Values.Length); // 4 MiB, ReplicaOptions.MaxFetchBytes, the default

        var small = new Replica(new ReplicaOptions { NodeId = 2, InitialConfiguration = new Configuration([1, 2, 3]), MaxFetchBytes = 1024 }, new Random(2));
        small.Step(new Prepare(1, 2, new Ballot(5, 1), 1));
        small.Step(new Accept(1, 2, new Ballot(5, 1), 1, Megabytes(1, 1), 1));
        small.Step(new Heartbeat(1, 2, new Ballot(5, 1), 1, 0));
        Drain(small);
        small.Step(new FetchDecided(3, 2, 1, 1));
        Assert.Single(Assert.Single(Drain(small).SelectMany(c => c.Messages).OfType<DecidedValues>()).Values);
    }

    [Fact]
    public void A_follower_behind_asks_for_the_same_slots_again_only_after_an_election_timeout_and_for_the_next_ones_as_soon_as_an_answer_arrives()
    {
        var follower = FollowingLeader1();
        List<FetchDecided> HeartbeatWithCommit(long commit)
        {
            follower.Tick();
            follower.Step(new Heartbeat(1, 2, new Ballot(5, 1), commit, 0));
            return [.. Drain(follower).SelectMany(c => c.Messages).OfType<FetchDecided>()];
        }

        var first = Assert.Single(HeartbeatWithCommit(10));
        Assert.Equal((1L, 10L), (first.FirstSlot, first.LastSlot));
        // The answer may be megabytes still on their way: heartbeats within an election timeout do not ask again.
        for (var i = 1; i < 10; i++) // ReplicaOptions.ElectionTicks, the default
            Assert.Empty(HeartbeatWithCommit(10));
        Assert.Equal(1, Assert.Single(HeartbeatWithCommit(10)).FirstSlot);

        // An answer moves the commit on and the next slots are asked for at once.
        follower.Step(new DecidedValues(1, 2, 1, [SlotValue.NoOp, SlotValue.NoOp, SlotValue.NoOp]));
        var next = Assert.Single(Drain(follower).SelectMany(c => c.Messages).OfType<FetchDecided>());
        Assert.Equal(4, next.FirstSlot);
    }

    [Fact]
    public void While_a_slot_is_in_flight_small_arrivals_wait_to_share_the_next_slot_and_only_a_full_backlog_opens_another()
    {
        var leader = LeaderOfThree(new ReplicaOptions { NodeId = 1, InitialConfiguration = new Configuration([1, 2, 3]), MaxCommandsPerSlot = 3 });
        List<Accept> AcceptsToNode2() => AcceptsTo(leader, 2);

        Assert.True(leader.Propose(1, new byte[] { 1 }));
        var first = Assert.Single(AcceptsToNode2());
        // Slot `first` is in flight: two more commands are not a full slot (3), so they wait.
        Assert.True(leader.Propose(2, new byte[] { 2 }));
        Assert.True(leader.Propose(3, new byte[] { 3 }));
        Assert.Empty(AcceptsToNode2());
        // A third fills a slot: it goes out pipelined, beside the slot in flight.
        Assert.True(leader.Propose(4, new byte[] { 4 }));
        var full = Assert.Single(AcceptsToNode2());
        Assert.Equal([2L, 3L, 4L], full.Value.Commands.Select(c => c.RequestId));
        Assert.True(leader.Propose(5, new byte[] { 5 }));
        Assert.Empty(AcceptsToNode2());

        // Once nothing is in flight, whatever waits goes out at once.
        leader.Step(new Accepted(2, 1, first.Ballot, first.Slot));
        Assert.Empty(AcceptsToNode2());
        leader.Step(new Accepted(2, 1, full.Ballot, full.Slot));
        var next = Assert.Single(AcceptsToNode2());
        Assert.Equal(5, Assert.Single(next.Value.Commands).RequestId);
    }

    [Fact]
    public void A_retry_of_a_command_already_queued_or_in_flight_on_the_leader_is_not_queued_again()
    {
        var leader = LeaderOfThree(new ReplicaOptions { NodeId = 1, InitialConfiguration = new Configuration([1, 2, 3]) });
        List<Accept> AcceptsToNode2() => AcceptsTo(leader, 2);

        Assert.True(leader.Propose(7, new byte[] { 7 }));
        var first = Assert.Single(AcceptsToNode2());
        // The client retries 7 while its slot is in flight, and twice retries 8 while it waits: one copy of each.
        Assert.True(leader.Propose(7, new byte[] { 7 }));
        Assert.True(leader.Propose(8, new byte[] { 8 }));
        Assert.True(leader.Propose(8, new byte[] { 8 }));
        leader.Step(new Accepted(2, 1, first.Ballot, first.Slot));
        var next = Assert.Single(AcceptsToNode2());
        Assert.Equal([8L], next.Value.Commands.Select(c => c.RequestId));

        // Decided, 7 is forgotten here: a later retry is queued again (the applied-request table answers it once).
        leader.Step(new Accepted(2, 1, next.Ballot, next.Slot));
        Drain(leader);
        Assert.True(leader.Propose(7, new byte[] { 7 }));
        Assert.Equal([7L], Assert.Single(AcceptsToNode2()).Value.Commands.Select(c => c.RequestId));
    }

    /// <summary>Node 1 of voters {1, 2, 3}, elected with node 2's promise.</summary>
    private static Replica LeaderOfThree(ReplicaOptions options)
    {
        var leader = new Replica(options, new Random(1));
        while (leader.Role != Role.Candidate)
            leader.Tick();
        var prepare = Drain(leader).SelectMany(c => c.Messages).OfType<Prepare>().First();
        leader.Step(new Promise(2, 1, prepare.Ballot, prepare.FirstSlot, [], [], 0));
        Drain(leader);
        Assert.Equal(Role.Leader, leader.Role);
        return leader;
    }

    /// <summary>The Accepts the next cycles send to <paramref name="node"/>.</summary>
    private static List<Accept> AcceptsTo(Replica leader, int node) =>
        [.. Drain(leader).SelectMany(c => c.Messages).OfType<Accept>().Where(a => a.To == node)];

    private static Replica ElectedAlone()
    {
        var replica = Single(1, new Configuration([1]));
        while (replica.Role != Role.Leader)
        {
            replica.Tick();
            Drain(replica);
        }
        return replica;
    }

    [Fact]
    public void A_lone_leader_grants_a_read_without_any_other_input()
    {
        // A leader with no peers sends no heartbeats, so nothing else would start a cycle: the read itself must.
        var replica = ElectedAlone();
        replica.RequestRead(7);
        Assert.True(replica.HasReady);
        var grants = Drain(replica).SelectMany(r => r.ReadGrants).ToList();
        Assert.Equal(7, Assert.Single(grants).ReadId);
    }

    [Fact]
    public void A_leader_fills_the_alpha_window_with_no_ops_after_a_configuration_change_so_it_takes_effect_without_writes()
    {
        var replica = ElectedAlone();
        Assert.True(replica.Propose(1, new byte[] { 1 }));
        var decided = Drain(replica).SelectMany(r => r.Decided).ToList();
        var changedAt = Assert.Single(decided).Slot;
        // The caller applied that slot and found a new voter set (say a learner claimed a slot).
        replica.ReportConfiguration(changedAt, new Configuration([1], [2]));
        Assert.True(replica.HasReady);
        var filled = Drain(replica).SelectMany(r => r.Decided).ToList();
        Assert.All(filled, slot => Assert.True(slot.Value.IsNoOp));
        Assert.Equal(changedAt + new ReplicaOptions { NodeId = 1, InitialConfiguration = new Configuration([1]) }.Alpha, filled[^1].Slot);
    }
}
