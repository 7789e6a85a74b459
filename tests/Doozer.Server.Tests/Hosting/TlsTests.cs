using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Doozer.TestKit.Processes;
using Doozer.TestKit.Tls;
using Xunit.Abstractions;

namespace Doozer.Server.Tests.Hosting;

/// <summary>
/// --tls-cert/--tls-key/--tls-ca on real doozerd processes: a TLS cluster forms through an https --attach and
/// replicates; plain HTTP finds no listener; a peer whose certificate another CA issued is refused and logged.
/// </summary>
public sealed class TlsTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestAuthority _authority = new();
    private readonly List<DoozerdProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes)
            node.Dispose();
        _authority.Dispose();
    }

    [Fact]
    public async Task A_three_node_TLS_cluster_forms_through_an_https_attach_and_a_write_on_one_node_is_read_on_another()
    {
        var n1 = await StartAsync("n1", _authority.Issue("n1"));
        Assert.Equal("https", n1.Url.Scheme);
        var n2 = await StartAsync("n2", _authority.Issue("n2"), "--attach", n1.Url.ToString());
        var n3 = await StartAsync("n3", _authority.Issue("n3"), "--attach", n1.Url.ToString());
        using var client = TrustingClient();
        await WaitForVotersAsync(client, n1, 3);

        using var written = await client.PutAsync(new Uri(n3.Url, "/tree/greeting"), new StringContent("over tls"));
        Assert.Equal(HttpStatusCode.Created, written.StatusCode);
        Assert.Equal("over tls", await client.GetStringAsync(new Uri(n2.Url, "/tree/greeting")));

        // Every address a node registered is https: peers dial them, clients are sent to them.
        var cluster = await client.GetFromJsonAsync<JsonElement>(new Uri(n1.Url, "/cluster"));
        foreach (var member in cluster.GetProperty("members").EnumerateArray())
        {
            Assert.StartsWith("https://127.0.0.1:", member.GetProperty("url").GetString());
            Assert.StartsWith("https://127.0.0.1:", member.GetProperty("peerUrl").GetString());
        }
    }

    [Fact]
    public async Task The_api_speaks_http2_and_http11_over_tls_and_plain_http_gets_no_answer_on_either_port()
    {
        var node = await StartAsync("solo", _authority.Issue("solo"));
        using var client = TrustingClient();
        using var http2 = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(node.Url, "/livez"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        Assert.Equal(HttpVersion.Version20, http2.Version);
        using var http11 = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(node.Url, "/livez")) { Version = HttpVersion.Version11 });
        Assert.Equal(HttpVersion.Version11, http11.Version);

        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync($"http://127.0.0.1:{node.Port}/livez"));
        var peerUrl = (await client.GetFromJsonAsync<JsonElement>(new Uri(node.Url, "/cluster"))).GetProperty("members")[0].GetProperty("peerUrl").GetString()!;
        using var h2c = new HttpRequestMessage(HttpMethod.Post, new UriBuilder(peerUrl) { Scheme = "http", Path = "/peer/v1/join" }.Uri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.SendAsync(h2c));
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_cluster_CA_is_refused_by_its_own_tls_check()
    {
        var node = await StartAsync("solo", _authority.Issue("solo"));
        using var untrusting = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri(node.Url, "/livez")));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(refused.InnerException);
    }

    [Fact]
    public async Task Curl_with_the_CA_trusted_reads_and_writes()
    {
        var node = await StartAsync("solo", _authority.Issue("solo"));
        var (code, text) = await CurlAsync("--cacert", _authority.CertFile, "-sS", "-X", "PUT", "--data-binary", "from curl", new Uri(node.Url, "/tree/c").ToString());
        Assert.True(code == 0, text);
        (code, text) = await CurlAsync("--cacert", _authority.CertFile, "-sS", new Uri(node.Url, "/tree/c").ToString());
        Assert.True(code == 0, text);
        Assert.Equal("from curl", text);
        // Without the CA, curl refuses the certificate (exit 60).
        (code, _) = await CurlAsync("-sS", new Uri(node.Url, "/tree/c").ToString());
        Assert.Equal(60, code);
    }

    [Fact]
    public async Task A_peer_whose_certificate_another_CA_issued_is_refused_and_logged()
    {
        var n1 = await StartAsync("n1", _authority.Issue("n1"));
        using var other = new TestAuthority("Other CA");
        var intruder = other.Issue("intruder");
        // The intruder trusts both CAs, so it gets as far as presenting its certificate to n1's peer listener.
        var bothAuthorities = Path.Combine(other.Directory, "both.pem");
        await File.WriteAllTextAsync(bothAuthorities, await File.ReadAllTextAsync(_authority.CertFile) + await File.ReadAllTextAsync(other.CertFile));
        var n2 = Launch("intruder", intruder, "--tls-ca", bothAuthorities, "--attach", n1.Url.ToString());

        var clock = Stopwatch.StartNew();
        while (!n1.Log.Contains("Refused a peer connection: certificate 'CN=intruder' issued by 'CN=Other CA'", StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "n1 did not log the refused peer:\n" + n1.Log + "\n--- intruder ---\n" + n2.Log);
            await Task.Delay(100);
        }
        using var client = TrustingClient();
        var members = (await client.GetFromJsonAsync<JsonElement>(new Uri(n1.Url, "/cluster"))).GetProperty("members");
        Assert.Equal(1, members.GetArrayLength());
    }

    [Fact]
    public async Task A_node_refuses_to_attach_to_a_member_whose_certificate_it_cannot_trust()
    {
        var n1 = await StartAsync("n1", _authority.Issue("n1"));
        using var other = new TestAuthority("Other CA");
        var stranger = Launch("stranger", other.Issue("stranger"), "--attach", n1.Url.ToString());

        var clock = Stopwatch.StartNew();
        while (!stranger.Log.Contains("Refused to talk to 127.0.0.1", StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the stranger did not log the untrusted member:\n" + stranger.Log);
            await Task.Delay(100);
        }
        Assert.DoesNotContain("registered through", stranger.Log);
    }

    [Theory]
    [InlineData("--tls-cert")]
    [InlineData("--tls-key")]
    public async Task Half_of_the_tls_flags_is_a_usage_error(string given)
    {
        var files = _authority.Issue("half");
        var (code, error) = await RunAsync(given, given == "--tls-cert" ? files.Cert : files.Key);
        Assert.Equal(2, code);
        Assert.Contains("--tls-cert and --tls-key go together", error);
    }

    [Fact]
    public async Task An_unreadable_certificate_is_a_usage_error()
    {
        var files = _authority.Issue("bad");
        await File.WriteAllTextAsync(files.Key, "not a key");
        var (code, error) = await RunAsync("--tls-cert", files.Cert, "--tls-key", files.Key);
        Assert.Equal(2, code);
        Assert.Contains("cannot load --tls-cert", error);

        (code, error) = await RunAsync("--tls-cert", Path.Combine(_authority.Directory, "missing.pem"), "--tls-key", files.Key);
        Assert.Equal(2, code);
        Assert.Contains("cannot load --tls-cert", error);
    }

    [Fact]
    public async Task A_certificate_file_without_its_CA_needs_tls_ca()
    {
        var files = _authority.Issue("leaf-only");
        var leaf = (await File.ReadAllTextAsync(files.Cert)).Split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n";
        await File.WriteAllTextAsync(files.Cert, leaf);
        var (code, error) = await RunAsync("--tls-cert", files.Cert, "--tls-key", files.Key);
        Assert.Equal(2, code);
        Assert.Contains("give --tls-ca", error);

        using var other = new TestAuthority("Other CA");
        (code, error) = await RunAsync("--tls-cert", files.Cert, "--tls-key", files.Key, "--tls-ca", other.CertFile);
        Assert.Equal(2, code);
        Assert.Contains("does not chain", error);
    }

    [Fact]
    public async Task A_tls_node_takes_only_https_urls()
    {
        var files = _authority.Issue("urls");
        var (code, error) = await RunAsync("--tls-cert", files.Cert, "--tls-key", files.Key, "--attach", "http://127.0.0.1:1");
        Assert.Equal(2, code);
        Assert.Contains("--attach must be the https:// URL", error);
        (code, error) = await RunAsync("--attach", "https://127.0.0.1:1");
        Assert.Equal(2, code);
        Assert.Contains("https needs --tls-cert", error);
    }

    private Task<DoozerdProcess> StartAsync(string name, NodeCertificateFiles files, params string[] flags)
    {
        var node = Launch(name, files, flags);
        return WaitReadyAsync(node);
    }

    private async Task<DoozerdProcess> WaitReadyAsync(DoozerdProcess node)
    {
        await node.WaitReadyAsync(TimeSpan.FromSeconds(60));
        return node;
    }

    private DoozerdProcess Launch(string name, NodeCertificateFiles files, params string[] flags)
    {
        var node = DoozerdProcess.Launch(new DoozerdLaunch
        {
            Flags = ["--name", name, "--tls-cert", files.Cert, "--tls-key", files.Key, "--peer-secret", "shared", .. flags],
            HttpsHandler = _authority.TrustingHandler,
            LogSink = output.WriteLine,
        });
        _nodes.Add(node);
        return node;
    }

    private HttpClient TrustingClient() => new(_authority.TrustingHandler()) { Timeout = TimeSpan.FromSeconds(15) };

    private static async Task WaitForVotersAsync(HttpClient client, DoozerdProcess node, int voters)
    {
        var clock = Stopwatch.StartNew();
        JsonElement cluster = default;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            cluster = await client.GetFromJsonAsync<JsonElement>(new Uri(node.Url, "/cluster"));
            if (cluster.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("role").GetString() == "voter") == voters)
                return;
            await Task.Delay(200);
        }
        Assert.Fail($"expected {voters} voters, saw {cluster}");
    }

    private static async Task<(int Code, string Output)> CurlAsync(params string[] args)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var curl = Process.Start(start)!;
        var stdout = curl.StandardOutput.ReadToEndAsync();
        var stderr = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (curl.ExitCode, await stdout + await stderr);
    }

    private static async Task<(int Code, string Error)> RunAsync(params string[] args)
    {
        var (code, output, error) = await DoozerdProcess.RunToExitAsync(
            ["--memory", "--listen", $"127.0.0.1:{DoozerdProcess.FreePort()}", "--peer-listen", $"127.0.0.1:{DoozerdProcess.FreePort()}", .. args]);
        return (code, error + output);
    }
}
