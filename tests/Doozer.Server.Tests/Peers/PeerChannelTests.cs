using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Doozer.Consensus;
using Doozer.Consensus.Messages;
using Doozer.Server.Peers;

namespace Doozer.Server.Tests.Peers;

public sealed class PeerChannelTests
{
    private const string Secret = "peer-secret";

    private static readonly PeerChannelOptions Options = new()
    {
        PeerSecret = Secret,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    private static Accept AcceptOf(long slot) =>
        new(1, 2, new Ballot(3, 1), slot, new SlotValue([new Command(slot, new byte[(int)(slot % 300)])]), slot - 1);

    private static async Task<Message> ReceiveAsync(PeerHost host, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        return await host.Channel.Received.ReadAsync(cts.Token);
    }

    [Fact]
    public async Task Messages_sent_from_A_arrive_at_B_in_order()
    {
        await using var a = await PeerHost.StartAsync(Options);
        await using var b = await PeerHost.StartAsync(Options);
        a.Channel.Connect(2, b.Url);
        for (var slot = 1; slot <= 2000; slot++)
            Assert.True(a.Channel.Send(AcceptOf(slot)));
        for (var slot = 1; slot <= 2000; slot++)
        {
            var accept = Assert.IsType<Accept>(await ReceiveAsync(b));
            Assert.Equal(slot, accept.Slot);
            Assert.True(accept.Value.SameAs(AcceptOf(slot).Value));
        }
        Assert.False(a.Channel.Send(new Accepted(1, 9, new Ballot(1, 1), 1)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    public async Task A_wrong_or_missing_secret_is_rejected_and_logged(string? secret)
    {
        await using var b = await PeerHost.StartAsync(Options);
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(b.Url, "peer/v1/messages"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([]),
        };
        if (secret is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var snapshot = await http.GetAsync(new Uri(b.Url, "peer/v1/snapshot/1"));
        Assert.Equal(HttpStatusCode.Unauthorized, snapshot.StatusCode);
        Assert.Contains(b.Log.Lines, l => l.StartsWith("Warning: Rejected a peer request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_peer_that_refuses_our_secret_is_logged_once_not_at_every_reconnect()
    {
        await using var a = await PeerHost.StartAsync(new PeerChannelOptions
        {
            PeerSecret = "not-the-cluster-secret",
            ReconnectMinDelay = Options.ReconnectMinDelay,
            ReconnectMaxDelay = Options.ReconnectMaxDelay,
        });
        await using var b = await PeerHost.StartAsync(Options);
        a.Channel.Connect(2, b.Url);
        var clock = Stopwatch.StartNew();
        while (b.Log.Lines.Count(l => l.StartsWith("Warning: Rejected a peer request", StringComparison.Ordinal)) < 3)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the link did not keep retrying");
            await Task.Delay(100);
        }
        Assert.Single(a.Log.Lines, l => l.Contains("refused our peer secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_malformed_frame_closes_the_stream_and_is_logged()
    {
        await using var b = await PeerHost.StartAsync(Options);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(b.Url, "peer/v1/messages"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            // A frame of three bytes that are no message of any version.
            Content = new ByteArrayContent([0, 0, 0, 3, 9, 9, 9]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret);
        try
        {
            using var response = await http.SendAsync(request);
        }
        catch (HttpRequestException)
        {
            // The stream may be reset before or after the response headers: either way it is closed.
        }
        var stopwatch = Stopwatch.StartNew();
        while (!b.Log.Lines.Any(l => l.Contains("malformed frame", StringComparison.Ordinal)) && stopwatch.Elapsed < TimeSpan.FromSeconds(3))
            await Task.Delay(10);
        Assert.Contains(b.Log.Lines, l => l.Contains("malformed frame", StringComparison.Ordinal));
        Assert.False(b.Channel.Received.TryRead(out _));
    }

    [Fact]
    public async Task A_link_with_the_wrong_secret_delivers_nothing()
    {
        await using var a = await PeerHost.StartAsync(new PeerChannelOptions { PeerSecret = "other", ReconnectMinDelay = TimeSpan.FromMilliseconds(20) });
        await using var b = await PeerHost.StartAsync(Options);
        var link = a.Channel.Connect(2, b.Url);
        a.Channel.Send(AcceptOf(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReceiveAsync(b, TimeSpan.FromMilliseconds(500)));
        Assert.False(link.IsConnected);
    }

    [Fact]
    public async Task After_B_restarts_A_reconnects_and_later_messages_arrive()
    {
        await using var a = await PeerHost.StartAsync(Options);
        var port = PeerHost.FreePort();
        var b = await PeerHost.StartAsync(Options, port);
        var link = a.Channel.Connect(2, b.Url);
        a.Channel.Send(AcceptOf(1));
        Assert.Equal(1, Assert.IsType<Accept>(await ReceiveAsync(b)).Slot);

        await b.DisposeAsync();
        await using var b2 = await PeerHost.StartAsync(Options, port);
        // Messages sent into the dying connection may be lost (the protocol re-sends); later ones must arrive.
        var stopwatch = Stopwatch.StartNew();
        long slot = 100;
        while (true)
        {
            a.Channel.Send(AcceptOf(++slot));
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            try
            {
                var received = Assert.IsType<Accept>(await b2.Channel.Received.ReadAsync(wait.Token));
                Assert.True(received.Slot > 100);
                break;
            }
            catch (OperationCanceledException) when (stopwatch.Elapsed < TimeSpan.FromSeconds(8))
            {
            }
        }
        // The first frames may arrive before the link has seen the response headers that mark it connected.
        while (!link.IsConnected && stopwatch.Elapsed < TimeSpan.FromSeconds(8))
            await Task.Delay(10);
        Assert.True(link.IsConnected);
    }

    [Fact]
    public async Task A_peer_that_never_reads_does_not_block_sends()
    {
        var small = new PeerChannelOptions { PeerSecret = Secret, SendQueueCapacity = 64, ReceiveQueueCapacity = 16 };
        await using var a = await PeerHost.StartAsync(small);
        await using var b = await PeerHost.StartAsync(small);
        var link = a.Channel.Connect(2, b.Url);
        var payload = new SlotValue([new Command(1, new byte[4096])]);
        var stopwatch = Stopwatch.StartNew();
        // About 200 MB offered to a peer whose driver never reads: far beyond every window and buffer on the way.
        for (var slot = 1; slot <= 50_000; slot++)
            Assert.True(a.Channel.Send(new Accept(1, 2, new Ballot(1, 1), slot, payload, 0)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"sends took {stopwatch.Elapsed}");
        Assert.True(link.Dropped > 0);
        // What got through is still delivered; what was dropped was the oldest queued, and nothing blocked.
        Assert.IsType<Accept>(await ReceiveAsync(b));
    }

    [Fact]
    public async Task A_snapshot_of_a_few_megabytes_arrives_intact()
    {
        var bytes = new byte[5 * 1024 * 1024 + 17];
        new Random(5).NextBytes(bytes);
        await using var b = await PeerHost.StartAsync(Options, snapshots: new Snapshots(42, bytes));
        await using var a = await PeerHost.StartAsync(Options);
        var link = a.Channel.Connect(2, b.Url);

        await using (var stream = await link.OpenSnapshotAsync(42, CancellationToken.None))
        {
            Assert.NotNull(stream);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(copy.ToArray()));
        }
        Assert.Null(await link.OpenSnapshotAsync(41, CancellationToken.None));
    }

    private sealed class Snapshots(long slot, byte[] bytes) : IPeerSnapshotSource
    {
        public ValueTask<Stream?> OpenSnapshotAsync(long requested, CancellationToken cancellationToken) =>
            ValueTask.FromResult<Stream?>(requested == slot ? new MemoryStream(bytes, writable: false) : null);
    }
}
