using System.Net;
using System.Net.Sockets;

namespace Doozer.TestKit.Processes;

/// <summary>
/// A loopback TCP proxy in front of a node, so a test can cut every open connection (a network failure as the
/// client sees it) while the node keeps running, and refuse new ones for a while.
/// </summary>
public sealed class TcpProxy : IDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Upstream)> _open = [];
    private volatile bool _refusing;

    /// <summary>Starts a proxy on a free loopback port to <paramref name="targetPort"/>.</summary>
    /// <param name="targetPort">The node's port.</param>
    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Url = new Uri($"http://127.0.0.1:{Port}");
        _ = AcceptLoopAsync();
    }

    /// <summary>The proxy's port.</summary>
    public int Port { get; }

    /// <summary>The proxy's base URL.</summary>
    public Uri Url { get; }

    /// <summary>How many connections were accepted so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>Whether new connections are closed as soon as they are accepted.</summary>
    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    /// <summary>Closes every open connection, both ways.</summary>
    public void CutAll()
    {
        lock (_open)
        {
            foreach (var (client, upstream) in _open)
            {
                client.Dispose();
                upstream.Dispose();
            }
            _open.Clear();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            Accepted++;
            if (_refusing)
            {
                client.Dispose();
                continue;
            }
            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
        }
        catch (Exception)
        {
            client.Dispose();
            upstream.Dispose();
            return;
        }
        lock (_open)
            _open.Add((client, upstream));
        try
        {
            var a = client.GetStream();
            var b = upstream.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception)
        {
            // A cut or a closed side ends the pipe.
        }
        finally
        {
            lock (_open)
                _open.Remove((client, upstream));
            client.Dispose();
            upstream.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        CutAll();
        _stop.Dispose();
    }
}
