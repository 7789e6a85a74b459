using Doozer.Consensus;
using Doozer.Server.Replication;
using Doozer.Storage;
using Doozer.Store.Tree;

namespace Doozer.Server.Tests.Replication;

/// <summary>What the node driver keeps across a crash: log records, snapshots, the applied-request table.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "doozer-durability-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static Replica LoneLeader()
    {
        var replica = new Replica(new ReplicaOptions { NodeId = 1, InitialConfiguration = new Configuration([1]) }, new Random(1));
        while (replica.Role != Role.Leader)
        {
            replica.Tick();
            while (replica.HasReady)
            {
                replica.GetReady();
                replica.Advance();
            }
        }
        return replica;
    }

    [Fact]
    public async Task A_fresh_directory_recovers_nothing_and_persisted_votes_and_configurations_come_back()
    {
        var history = new[] { new ConfigurationChange(0, new Configuration([1])) };
        Ballot promised;
        await using (var storage = new DiskStorage(DataDirectory.Open(_dir)))
        {
            Assert.Null(storage.Recover());
            await storage.PersistConfigurationsAsync(history, default);
            var replica = LoneLeader();
            promised = replica.Promised;
            Assert.True(replica.Propose(5, new byte[] { 1, 2, 3 }));
            // The leader's own acceptance comes out of the cycle after the proposal (it answers itself on Advance).
            var persisted = 0;
            while (replica.HasReady && persisted == 0)
            {
                var ready = replica.GetReady();
                persisted = ready.Accepted.Count;
                await storage.PersistAsync(ready, [KeyValuePair.Create(2, new Uri("http://127.0.0.2:8047"))], default);
                replica.Advance();
            }
            Assert.Equal(1, persisted);
        }
        await using (var storage = new DiskStorage(DataDirectory.Open(_dir)))
        {
            var recovered = storage.Recover();
            Assert.NotNull(recovered);
            Assert.Null(recovered.Snapshot);
            var entry = Assert.Single(recovered.State.Accepted);
            Assert.Equal(5, Assert.Single(entry.Value.Commands).RequestId);
            Assert.Equal([1], Assert.Single(recovered.State.Configurations).Configuration.Voters);
            Assert.Equal(new Uri("http://127.0.0.2:8047"), Assert.Single(recovered.Peers).Value);
            // The promise of the election was persisted in an earlier (unpersisted here) cycle; what was persisted is kept.
            Assert.True(recovered.State.Promised <= promised);
        }
    }

    [Fact]
    public async Task A_snapshot_truncates_the_log_yet_keeps_every_vote_above_its_slot()
    {
        var tree = new TreeStore(100);
        tree.Apply(new Doozer.Store.Commands.SetCommand("/a", "1"u8.ToArray(), default));
        var requests = new AppliedRequests();
        requests.Record(77, new RequestOutcome(ApplyStatus.Ok, 1, 0, true));
        var vote = new AcceptedEntry(9, new Ballot(3, 1), new SlotValue([new Consensus.Command(78, new byte[] { 4 })]));
        var state = new DurableState(new Ballot(3, 1), [vote], 8, [new ConfigurationChange(0, new Configuration([1, 2, 3]))]);
        await using (var storage = new DiskStorage(DataDirectory.Open(_dir)))
        {
            await storage.PersistConfigurationsAsync(state.Configurations, default);
            await storage.SaveSnapshotAsync(new NodeSnapshotWriter(state, requests.ToBytes(), tree.Current), storage.Position, default);
        }
        await using (var storage = new DiskStorage(DataDirectory.Open(_dir)))
        {
            var recovered = storage.Recover()!;
            Assert.Equal(8, recovered.State.SnapshotSlot);
            Assert.Equal(vote.Slot, Assert.Single(recovered.State.Accepted).Slot);
            Assert.Equal(new Ballot(3, 1), recovered.State.Promised);
            var restored = TreeStore.FromSnapshot(recovered.Snapshot!.Store.Span, 100);
            Assert.Equal("1"u8.ToArray(), restored.Current.Get("/a").Value.ToArray());
            Assert.True(AppliedRequests.FromBytes(recovered.Snapshot.Requests.Span).TryGet(77, out var outcome));
            Assert.True(outcome.Created);
        }
    }

    [Fact]
    public void A_snapshot_for_a_peer_leaves_out_our_own_votes_and_a_damaged_one_is_refused()
    {
        var vote = new AcceptedEntry(9, new Ballot(3, 1), SlotValue.NoOp);
        var snapshot = new NodeSnapshot(new DurableState(new Ballot(3, 1), [vote], 8, [new ConfigurationChange(0, new Configuration([1]))]), new AppliedRequests().ToBytes(), new TreeStore(10).Current.ToSnapshot());
        var forPeer = NodeSnapshot.FromBytes(snapshot.ForPeer().ToBytes());
        Assert.Empty(forPeer.State.Accepted);
        Assert.Equal(Ballot.Zero, forPeer.State.Promised);
        Assert.Equal(8, forPeer.Slot);
        var bytes = snapshot.ToBytes();
        bytes[bytes.Length / 2] ^= 0x40;
        Assert.Throws<FormatException>(() => NodeSnapshot.FromBytes(bytes));
    }

    [Fact]
    public void The_applied_request_table_forgets_the_oldest_ids_first_and_round_trips_in_order()
    {
        var table = new AppliedRequests();
        for (long id = 1; id <= AppliedRequests.Capacity + 10; id++)
            table.Record(id, new RequestOutcome(ApplyStatus.Ok, id, 0, false));
        Assert.False(table.TryGet(10, out _));
        Assert.True(table.TryGet(11, out _));
        var copy = AppliedRequests.FromBytes(table.ToBytes());
        Assert.Equal(table.Recorded, copy.Recorded);
        copy.Record(AppliedRequests.Capacity + 11, new RequestOutcome(ApplyStatus.Ok, 0, 0, false));
        table.Record(AppliedRequests.Capacity + 11, new RequestOutcome(ApplyStatus.Ok, 0, 0, false));
        // Both forget the same id next: the copy is the same table, not just the same set.
        Assert.False(copy.TryGet(11, out _));
        Assert.False(table.TryGet(11, out _));
        Assert.True(copy.TryGet(12, out var kept));
        Assert.Equal(12, kept.Rev);
    }

    [Fact]
    public void Consensus_ids_are_a_stable_function_of_node_ids()
    {
        Assert.Equal(0x3fafe075, NodeIds.ToConsensusId("3fafe07539d7887e90e69d0a09be6ca7"));
        Assert.Equal(0x7fffffff & unchecked((int)0xcfafe075), NodeIds.ToConsensusId("cfafe07539d7887e90e69d0a09be6ca7"));
        Assert.Equal(NodeIds.ToConsensusId("hand-made"), NodeIds.ToConsensusId("hand-made"));
        Assert.NotEqual(0, NodeIds.ToConsensusId("00000000aaaa"));
    }
}
