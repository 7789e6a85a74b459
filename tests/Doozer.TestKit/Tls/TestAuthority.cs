using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Doozer.TestKit.Tls;

/// <summary>The PEM files of one node certificate (see <see cref="TestAuthority.Issue"/>).</summary>
/// <param name="Cert">The certificate, followed by the authority's (what <c>--tls-cert</c> takes).</param>
/// <param name="Key">Its private key (what <c>--tls-key</c> takes).</param>
public sealed record NodeCertificateFiles(string Cert, string Key);

/// <summary>
/// A certificate authority made for one test: an ECDSA P-256 root that issues node certificates valid for the
/// loopback addresses, written as PEM files to a temporary directory that disposing removes.
/// </summary>
public sealed class TestAuthority : IDisposable
{
    private readonly ECDsa _key;
    private readonly string _name;
    private int _issued;

    /// <summary>Creates the authority named <paramref name="name"/> and writes its certificate to <see cref="CertFile"/>.</summary>
    public TestAuthority(string name = "Doozer Test CA")
    {
        _name = name;
        Directory = Path.Combine(Path.GetTempPath(), "doozer-tls-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(Directory);
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        CertFile = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CertFile, Certificate.ExportCertificatePem() + "\n");
    }

    /// <summary>The temporary directory holding the PEM files.</summary>
    public string Directory { get; }

    /// <summary>The authority's certificate, with its key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The authority's certificate as PEM (what <c>--tls-ca</c> and SSL_CERT_FILE take).</summary>
    public string CertFile { get; }

    /// <summary>
    /// Issues a certificate for server and client authentication, naming localhost, 127.0.0.1, ::1 and
    /// <paramref name="addresses"/>, and writes it (followed by this authority's certificate) and its key as PEM.
    /// </summary>
    public NodeCertificateFiles Issue(string subject, params IPAddress[] addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        foreach (var address in (IPAddress[])[IPAddress.Loopback, IPAddress.IPv6Loopback, .. addresses])
            names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _issued) + 1000L);
        using var certificate = request.Create(Certificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        var stem = Path.Combine(Directory, $"{subject}-{_issued}");
        var files = new NodeCertificateFiles(stem + ".pem", stem + ".key");
        File.WriteAllText(files.Cert, certificate.ExportCertificatePem() + "\n" + Certificate.ExportCertificatePem());
        File.WriteAllText(files.Key, key.ExportPkcs8PrivateKeyPem());
        return files;
    }

    /// <summary>An HTTP handler that trusts this authority only (and checks the host name, as any client does).</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(Certificate);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            },
        },
    };

    /// <inheritdoc />
    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <inheritdoc />
    public override string ToString() => _name;
}
