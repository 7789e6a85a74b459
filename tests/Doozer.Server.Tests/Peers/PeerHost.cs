using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Doozer.Server.Peers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Doozer.Server.Tests.Peers;

/// <summary>A small real Kestrel host with only a peer listener on loopback, for one node of a transport test.</summary>
internal sealed class PeerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PeerHost(WebApplication app, PeerChannel channel, int port, LogSink log)
    {
        _app = app;
        Channel = channel;
        Port = port;
        Log = log;
    }

    public PeerChannel Channel { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public LogSink Log { get; }

    /// <summary>A port free right now, so a restarted host can listen where its peers expect it.</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public static async Task<PeerHost> StartAsync(PeerChannelOptions options, int? port = null, IPeerSnapshotSource? snapshots = null)
    {
        var log = new LogSink();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug";
        builder.Logging.ClearProviders().AddProvider(log).SetMinimumLevel(LogLevel.Debug);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var chosen = port ?? FreePort();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, chosen, PeerChannel.ConfigureListener));
        var app = builder.Build();
        var channel = new PeerChannel(options, app.Services.GetRequiredService<ILoggerFactory>(), snapshots);
        channel.MapPeerEndpoint(app);
        await app.StartAsync();
        return new PeerHost(app, channel, chosen, log);
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
