using Doozer.TestKit.Processes;
using Doozer.TestKit.Tls;
using Xunit.Abstractions;

namespace Doozer.Cli.Tests;

/// <summary>
/// The doozer tool against a node started with --tls-cert: it needs nothing of its own, only the cluster's CA among
/// the roots it trusts (on Linux, SSL_CERT_FILE names a bundle of them).
/// </summary>
public sealed class TlsCliTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestAuthority _authority = new();

    public void Dispose() => _authority.Dispose();

    [Fact]
    public async Task Doozer_sets_and_gets_over_https_when_SSL_CERT_FILE_trusts_the_cluster_CA()
    {
        var files = _authority.Issue("cli");
        await using var node = await DoozerdProcess.StartAsync(new DoozerdLaunch
        {
            Flags = ["--tls-cert", files.Cert, "--tls-key", files.Key],
            HttpsHandler = _authority.TrustingHandler,
            LogSink = output.WriteLine,
        });
        var trusted = new Dictionary<string, string> { ["SSL_CERT_FILE"] = _authority.CertFile };

        var set = await Tool.RunAsync(node.Url, "over tls"u8.ToArray(), trusted, "set", "/tls/message", "-1");
        Assert.True(set.Code == 0, set.ToString());
        var get = await Tool.RunAsync(node.Url, [], trusted, "get", "/tls/message");
        Assert.True(get.Code == 0, get.ToString());
        Assert.Equal("over tls", get.Out);

        // Without the CA the tool refuses the node's certificate: an error, not a silent fallback to http.
        var untrusted = await Tool.RunAsync(node.Url, [], new Dictionary<string, string> { ["SSL_CERT_FILE"] = "/dev/null" }, "get", "/tls/message");
        Assert.Equal(2, untrusted.Code);
    }
}
