using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Doozer.TestKit.Processes;

namespace Doozer.TestKit.Tests.Processes;

/// <summary>
/// The fault proxy against a loopback echo server, with clients on distinct loopback source addresses (all of
/// 127/8 is loopback on Linux): per-source cut, blackhole and delay, every-source rules, and heal.
/// </summary>
public sealed class FaultProxyTests : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    private readonly IPAddress _a;
    private readonly IPAddress _b;
    private readonly EchoServer _echo = new();
    private readonly FaultProxy _proxy;

    public FaultProxyTests()
    {
        var subnet = Random.Shared.Next(1, 255);
        _a = IPAddress.Parse($"127.{subnet}.7.21");
        _b = IPAddress.Parse($"127.{subnet}.7.22");
        _proxy = new FaultProxy(_echo.EndPoint);
    }

    public void Dispose()
    {
        _proxy.Dispose();
        _echo.Dispose();
    }

    [Fact]
    public async Task Passes_bytes_both_ways_and_knows_the_source_address()
    {
        using var a = await ConnectAsync(_a);
        Assert.Equal("hello", await RoundTripAsync(a, "hello"));
        Assert.Equal([_a], _proxy.OpenSources);
        // The echo may reach the client a moment before the proxy counts it.
        for (var i = 0; i < 50 && _proxy.BytesForwarded < 10; i++)
            await Task.Delay(20);
        Assert.Equal(10, _proxy.BytesForwarded);
        Assert.Equal(1, _proxy.Accepted);
    }

    [Fact]
    public async Task Cut_resets_the_sources_connections_and_refuses_new_ones_until_healed_while_other_sources_pass()
    {
        using var a = await ConnectAsync(_a);
        using var b = await ConnectAsync(_b);
        Assert.Equal("1", await RoundTripAsync(a, "1"));

        _proxy.Cut(_a);
        Assert.True(await IsClosedAsync(a), "the open connection of the cut source must be closed");
        Assert.Equal("2", await RoundTripAsync(b, "2"));
        Assert.True(await IsRefusedAsync(_a), "a new connection of a cut source must be refused");
        Assert.Equal(1, _proxy.Refused);

        _proxy.Heal(_a);
        using var healed = await ConnectAsync(_a);
        Assert.Equal("3", await RoundTripAsync(healed, "3"));
    }

    [Fact]
    public async Task Blackhole_holds_every_byte_without_closing_and_a_heal_delivers_them_in_order()
    {
        using var a = await ConnectAsync(_a);
        using var b = await ConnectAsync(_b);
        Assert.Equal("x", await RoundTripAsync(a, "x"));

        _proxy.Blackhole(_a);
        await SendAsync(a, "held-1 ");
        await SendAsync(a, "held-2");
        Assert.Null(await ReceiveAsync(a, 13, Quiet));
        Assert.Equal("free", await RoundTripAsync(b, "free"));
        Assert.Equal(2, _proxy.OpenConnections);

        // A connection opened in the blackhole is accepted but goes nowhere either.
        using var late = await ConnectAsync(_a);
        await SendAsync(late, "late");
        Assert.Null(await ReceiveAsync(late, 4, Quiet));

        _proxy.Heal(_a);
        Assert.Equal("held-1 held-2", await ReceiveAsync(a, 13, TimeSpan.FromSeconds(5)));
        Assert.Equal("late", await ReceiveAsync(late, 4, TimeSpan.FromSeconds(5)));
        Assert.Equal("y", await RoundTripAsync(a, "y"));
    }

    [Fact]
    public async Task Blackhole_of_every_source_holds_them_all_and_heal_all_releases_them()
    {
        using var a = await ConnectAsync(_a);
        using var b = await ConnectAsync(_b);
        _proxy.Blackhole();
        await SendAsync(a, "a");
        await SendAsync(b, "b");
        Assert.Null(await ReceiveAsync(a, 1, Quiet));
        Assert.Null(await ReceiveAsync(b, 1, TimeSpan.FromMilliseconds(50)));
        Assert.Equal(FaultMode.Blackhole, _proxy.Effective(_b).Mode);

        _proxy.HealAll();
        Assert.Equal("a", await ReceiveAsync(a, 1, TimeSpan.FromSeconds(5)));
        Assert.Equal("b", await ReceiveAsync(b, 1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Cut_of_every_source_closes_everything()
    {
        using var a = await ConnectAsync(_a);
        using var b = await ConnectAsync(_b);
        Assert.Equal("1", await RoundTripAsync(b, "1"));
        _proxy.Cut();
        Assert.True(await IsClosedAsync(a));
        Assert.True(await IsClosedAsync(b));
        Assert.Equal(0, _proxy.OpenConnections);
    }

    [Fact]
    public async Task Delay_applies_to_each_direction_keeps_the_order_and_does_not_add_up_over_chunks()
    {
        using var a = await ConnectAsync(_a);
        using var b = await ConnectAsync(_b);
        var delay = TimeSpan.FromMilliseconds(150);
        _proxy.Delay(delay, _a);

        var clock = Stopwatch.StartNew();
        Assert.Equal("ping", await RoundTripAsync(a, "ping"));
        Assert.True(clock.Elapsed >= 2 * delay - TimeSpan.FromMilliseconds(10), $"round trip took {clock.Elapsed}");

        // Twenty messages sent at once arrive in order about one round trip after the last, not twenty. Timed from the
        // last send: on a loaded machine the sending loop's own pauses (20 timer waits) took over a second, which is
        // not what this checks; delays that added up would take >= 20 x 150 ms after it.
        var expected = new StringBuilder();
        for (var i = 0; i < 20; i++)
        {
            var message = $"<{i:D2}>";
            expected.Append(message);
            await SendAsync(a, message);
            await Task.Delay(5);
        }
        clock.Restart();
        Assert.Equal(expected.ToString(), await ReceiveAsync(a, expected.Length, TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < 10 * delay, $"20 delayed chunks arrived {clock.Elapsed} after the last was sent");

        // The other source is not delayed.
        clock.Restart();
        Assert.Equal("fast", await RoundTripAsync(b, "fast"));
        Assert.True(clock.Elapsed < delay, $"an undelayed round trip took {clock.Elapsed}");

        _proxy.Heal(_a);
        clock.Restart();
        Assert.Equal("healed", await RoundTripAsync(a, "healed"));
        Assert.True(clock.Elapsed < delay, $"a healed round trip took {clock.Elapsed}");
    }

    [Fact]
    public void Rules_combine_to_the_stricter_mode_and_the_longer_delay()
    {
        _proxy.Delay(TimeSpan.FromMilliseconds(30));
        _proxy.Blackhole(_a);
        _proxy.Delay(TimeSpan.FromMilliseconds(10), _a);
        Assert.Equal(new FaultRule(FaultMode.Blackhole, TimeSpan.FromMilliseconds(30)), _proxy.Effective(_a));
        Assert.Equal(new FaultRule(FaultMode.Pass, TimeSpan.FromMilliseconds(30)), _proxy.Effective(_b));
        _proxy.Cut();
        Assert.Equal(FaultMode.Cut, _proxy.Effective(_a).Mode);
        _proxy.HealAll();
        Assert.Equal(FaultRule.None, _proxy.Effective(_a));
        Assert.Equal(FaultRule.None, _proxy.Effective(_b));
    }

    private async Task<Socket> ConnectAsync(IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _proxy.Port));
        return socket;
    }

    private static async Task SendAsync(Socket socket, string text) =>
        await socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);

    private static async Task<string> RoundTripAsync(Socket socket, string text)
    {
        await SendAsync(socket, text);
        return await ReceiveAsync(socket, text.Length, TimeSpan.FromSeconds(5))
            ?? throw new TimeoutException($"no echo of '{text}'");
    }

    /// <summary>Exactly <paramref name="length"/> bytes, or null if they do not all come within the time.</summary>
    private static async Task<string?> ReceiveAsync(Socket socket, int length, TimeSpan within)
    {
        var buffer = new byte[length];
        var received = 0;
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (received < length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
                if (read == 0)
                    throw new IOException("closed");
                received += read;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>Whether a new connection from the source is reset, during the connect or just after it.</summary>
    private async Task<bool> IsRefusedAsync(IPAddress source)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(source);
        }
        catch (SocketException)
        {
            return true;
        }
        using (socket)
            return await IsClosedAsync(socket);
    }

    /// <summary>Whether the connection ends (EOF or reset) within five seconds.</summary>
    private static async Task<bool> IsClosedAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[64];
        try
        {
            while (true)
            {
                if (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0)
                    return true;
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed class EchoServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public EchoServer()
        {
            _listener.Start();
            EndPoint = (IPEndPoint)_listener.LocalEndpoint;
            _ = AcceptAsync();
        }

        public IPEndPoint EndPoint { get; }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    _ = EchoAsync(socket);
                }
            }
            catch (Exception)
            {
                // Stopped.
            }
        }

        private async Task EchoAsync(Socket socket)
        {
            using (socket)
            {
                var buffer = new byte[4096];
                try
                {
                    while (true)
                    {
                        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                        if (read == 0)
                            return;
                        await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                    }
                }
                catch (Exception)
                {
                    // Closed.
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
