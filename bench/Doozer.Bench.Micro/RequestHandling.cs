using System.Net;
using BenchmarkDotNet.Attributes;
using Doozer.Server.Api;
using Doozer.Store.Commands;
using Doozer.Store.Paths;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Doozer.Bench.Micro;

/// <summary>
/// The per-request parsing steps of the tree endpoints, alone: path validation, If-Match, a glob, and the log
/// command a PUT becomes.
/// </summary>
public class RequestParsing
{
    private const string Path = "/bench/many/k123";
    private readonly StringValues _ifMatch = new("\"12\"");
    private readonly ReadOnlyMemory<byte> _value = "0123456789abcdef"u8.ToArray();

    [Benchmark]
    public bool ValidatePath() => TreePath.IsValid(Path);

    [Benchmark]
    public bool ParseIfMatch() => Conditions.TryParseWrite(_ifMatch, StringValues.Empty, out _, out _);

    [Benchmark]
    public bool ParseAndMatchGlob() => Glob.TryParse("/bench/**", out var glob) && glob.Matches(Path);

    [Benchmark]
    public byte[] EncodeSetCommand() => CommandCodec.Encode(new SetCommand(Path, _value, Precondition.None));
}

/// <summary>
/// One request through the whole doozerd application in memory (WebApplicationFactory: the real Program, its
/// middleware, routing, endpoints, log and apply loop; no sockets and no Kestrel HTTP parsing), one request at a time.
/// Allocations include the in-memory client's side of the exchange.
/// </summary>
public class RequestPipeline
{
    private readonly byte[] _value = "0123456789abcdef"u8.ToArray();
    private WebApplicationFactory<Program> _app = null!;
    private HttpClient _client = null!;
    private string? _dataDirectory;

    /// <summary>"memory" (--memory) or "durable" (a one-node cluster with its log in a temporary --data directory).</summary>
    [Params("memory", "durable")]
    public string Mode { get; set; } = "memory";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Mode == "durable")
            _dataDirectory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "doozer-micro-" + Guid.NewGuid().ToString("N"));
        _app = new DoozerFactory(_dataDirectory);
        _client = _app.CreateClient();
        using var content = new ByteArrayContent(_value);
        using var response = await _client.PutAsync(new Uri("/tree/bench/get/k", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
            Directory.Delete(_dataDirectory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task<HttpStatusCode> Livez() => GetAsync("/livez");

    [Benchmark]
    public Task<HttpStatusCode> GetLinearizable() => GetAsync("/tree/bench/get/k");

    [Benchmark]
    public Task<HttpStatusCode> GetStale() => GetAsync("/tree/bench/get/k?consistency=stale");

    [Benchmark]
    public async Task<HttpStatusCode> PutOneKey()
    {
        using var content = new ByteArrayContent(_value);
        using var response = await _client.PutAsync(new Uri("/tree/bench/one/k", UriKind.Relative), content);
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> GetAsync(string path)
    {
        using var response = await _client.GetAsync(new Uri(path, UriKind.Relative));
        await response.Content.CopyToAsync(Stream.Null);
        return response.StatusCode;
    }
}

/// <summary>doozerd in memory, or durable in the given data directory (never the default ./doozer-data).</summary>
internal sealed class DoozerFactory(string? dataDirectory) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Doozer:Memory", dataDirectory is null ? "true" : "false");
        if (dataDirectory is not null)
            builder.UseSetting("Doozer:Data", dataDirectory);
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }
}
