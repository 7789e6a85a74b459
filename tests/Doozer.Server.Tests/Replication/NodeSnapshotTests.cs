using Doozer.Consensus;
using Doozer.Server.Peers;
using Doozer.Server.Replication;
using Doozer.Server.Tests.Peers;
using Doozer.Store.Commands;
using Doozer.Store.Tree;

namespace Doozer.Server.Tests.Replication;

/// <summary>Snapshots written as they are made (to a file or a peer) and read back from a stream.</summary>
public sealed class NodeSnapshotTests
{
    private static readonly AcceptedEntry Vote = new(9, new Ballot(3, 1), new SlotValue([new Consensus.Command(78, new byte[] { 4 })]));

    private static (NodeSnapshotWriter Writer, NodeSnapshot Snapshot) Sample(int files)
    {
        var tree = new TreeStore(100);
        for (var i = 0; i < files; i++)
            tree.Apply(new SetCommand($"/d{i % 10}/f{i}", new byte[100], default));
        var requests = new AppliedRequests();
        requests.Record(77, new RequestOutcome(ApplyStatus.Ok, 1, 0, true));
        var state = new DurableState(new Ballot(3, 1), [Vote], 8, [new ConfigurationChange(0, new Configuration([1, 2, 3]))]);
        return (new NodeSnapshotWriter(state, requests.ToBytes(), tree.Current),
            new NodeSnapshot(state, requests.ToBytes(), tree.Current.ToSnapshot()));
    }

    private static byte[] BytesOf(NodeSnapshotWriter writer)
    {
        using var output = new MemoryStream();
        writer.WriteTo(output);
        Assert.Equal(writer.Length, output.Length);
        return output.ToArray();
    }

    [Fact]
    public void A_snapshot_written_from_the_tree_is_the_same_bytes_as_one_made_from_its_parts()
    {
        var (writer, snapshot) = Sample(500);
        Assert.Equal(snapshot.ToBytes(), BytesOf(writer));
        Assert.Equal(snapshot.ForPeer().ToBytes(), BytesOf(writer.ForPeer()));
        Assert.Equal(8, writer.Slot);
    }

    [Fact]
    public async Task A_snapshot_read_from_a_stream_checks_its_checksum_and_keeps_what_a_peer_needs()
    {
        var (writer, _) = Sample(50);
        var bytes = BytesOf(writer.ForPeer());
        var read = await NodeSnapshot.ReadAsync(new MemoryStream(bytes), default);
        Assert.Empty(read.State.Accepted);
        Assert.Equal(Ballot.Zero, read.State.Promised);
        Assert.Equal(8, read.Slot);
        Assert.Equal([1, 2, 3], Assert.Single(read.State.Configurations).Configuration.Voters);
        Assert.True(AppliedRequests.FromBytes(read.Requests.Span).TryGet(77, out _));
        Assert.Equal(100, TreeStore.FromSnapshot(read.Store.Span, 10).Current.Get("/d3/f13").Value.Length);

        var damaged = (byte[])bytes.Clone();
        damaged[damaged.Length / 2] ^= 0x40;
        await Assert.ThrowsAsync<FormatException>(() => NodeSnapshot.ReadAsync(new MemoryStream(damaged), default));
        foreach (var length in new[] { 0, 1, 7, bytes.Length / 2, bytes.Length - 1 })
            await Assert.ThrowsAsync<FormatException>(() => NodeSnapshot.ReadAsync(new MemoryStream(bytes[..length]), default));
        await Assert.ThrowsAsync<FormatException>(() => NodeSnapshot.ReadAsync(new MemoryStream([.. bytes, 0]), default));
    }

    [Fact]
    public async Task A_peer_downloads_a_snapshot_written_as_it_is_sent_and_installs_it()
    {
        // ~20,000 files: several megabytes, far more than the 1 MB the writer keeps in flight.
        var (writer, snapshot) = Sample(20_000);
        var options = new PeerChannelOptions { PeerSecret = "peer-secret" };
        await using var b = await PeerHost.StartAsync(options, snapshots: new Source(writer.ForPeer()));
        await using var a = await PeerHost.StartAsync(options);
        var link = a.Channel.Connect(2, b.Url);

        await using var stream = await link.OpenSnapshotAsync(8, CancellationToken.None);
        Assert.NotNull(stream);
        var read = await NodeSnapshot.ReadAsync(stream, CancellationToken.None);
        Assert.Equal(snapshot.ForPeer().ToBytes(), read.ToBytes());
    }

    [Fact]
    public async Task A_download_abandoned_early_leaves_the_next_one_whole()
    {
        var (writer, _) = Sample(20_000);
        var stream = writer.OpenRead();
        var first = new byte[1000];
        await stream.ReadExactlyAsync(first);
        await stream.DisposeAsync();
        using var copy = new MemoryStream();
        await using (var again = writer.OpenRead())
            await again.CopyToAsync(copy);
        Assert.Equal(BytesOf(writer), copy.ToArray());
        Assert.Equal(first, copy.ToArray()[..1000]);
    }

    private sealed class Source(NodeSnapshotWriter snapshot) : IPeerSnapshotSource
    {
        public ValueTask<Stream?> OpenSnapshotAsync(long slot, CancellationToken cancellationToken) =>
            ValueTask.FromResult<Stream?>(slot <= snapshot.Slot ? snapshot.OpenRead() : null);
    }
}
