using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Doozer.Server.Hosting;

/// <summary>
/// A node's TLS (<c>--tls-cert</c>, <c>--tls-key</c>, <c>--tls-ca</c>): one certificate for the client API and the peer
/// channel, and the certificate authorities a peer must chain to. Peers authenticate each other both ways, as etcd's
/// do with <c>--peer-client-cert-auth</c> and <c>--peer-trusted-ca-file</c>: the peer listener requires a client
/// certificate, and a node dialing a peer (or the member it attaches to) checks the peer's certificate and that it
/// names the host it dialed. Only the cluster's own authorities count for peers, never the system's roots: a public
/// CA vouches for anyone who owns a domain. The peer secret is checked on top, as without TLS.
/// </summary>
public sealed partial class NodeTls
{
    private readonly X509Certificate2Collection _chain;
    private readonly X509Certificate2Collection _authorities;

    private NodeTls(X509Certificate2 certificate, X509Certificate2Collection chain, X509Certificate2Collection authorities)
    {
        Certificate = certificate;
        _chain = chain;
        _authorities = authorities;
    }

    /// <summary>The node's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Reads the node's certificate (the first in <paramref name="certFile"/>; any that follow are its chain), its key,
    /// and the authorities peers must chain to: <paramref name="caFile"/> if given, else the chain in the certificate
    /// file, else the certificate itself when it is self-signed (every node then shares it). Returns the problem,
    /// worded for the command line, when a file cannot be read or does not fit.
    /// </summary>
    public static (NodeTls? Tls, string? Problem) Load(string certFile, string keyFile, string? caFile)
    {
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        var authorities = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            var inFile = new X509Certificate2Collection();
            inFile.ImportFromPemFile(certFile);
            for (var i = 1; i < inFile.Count; i++)
                chain.Add(inFile[i]);
            if (caFile is not null)
                authorities.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return (null, $"cannot load --tls-cert {certFile} with --tls-key {keyFile}{(caFile is null ? "" : $" and --tls-ca {caFile}")}: {e.Message}");
        }
        if (caFile is not null && authorities.Count == 0)
            return (null, $"--tls-ca {caFile} holds no PEM certificate.");
        if (authorities.Count == 0)
        {
            if (chain.Count > 0)
                authorities.AddRange(chain);
            else if (IsSelfSigned(certificate))
                authorities.Add(X509CertificateLoader.LoadCertificate(certificate.RawData));
            else
                return (null, $"--tls-cert {certFile} holds only a certificate issued by '{certificate.Issuer}': peers must be checked against that CA, so add its certificate after the node's in the file, or give --tls-ca.");
        }
        var tls = new NodeTls(certificate, chain, authorities);
        // A node is a peer of its own cluster: if its certificate fails the peers' test, every peer would refuse it.
        if (tls.Distrust(certificate, null) is { } reason)
            return (null, $"the --tls-cert certificate '{certificate.Subject}' does not chain to the certificate authorities peers are checked against ({reason}).");
        return (tls, null);
    }

    /// <summary>HTTPS for the client API: HTTP/1.1 and HTTP/2 (chosen by ALPN), no client certificate asked.</summary>
    public void ServeClients(ListenOptions listen) =>
        listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = Certificate, ServerCertificateChain = _chain });

    /// <summary>HTTPS for the peer listener: a peer must present a certificate that chains to the cluster's authorities.</summary>
    public void ServePeers(ListenOptions listen, ILogger logger) =>
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = Certificate,
            ServerCertificateChain = _chain,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            // The platform's verdict (sslPolicyErrors) is against the system's roots, which do not count here.
            ClientCertificateValidation = (certificate, presented, _) =>
            {
                if (Distrust(certificate, presented) is not { } reason)
                    return true;
                LogPeerRefused(logger, certificate.Subject, certificate.Issuer, reason);
                return false;
            },
        });

    /// <summary>
    /// TLS for dialing a peer or the member named by <c>--attach</c>: this node's certificate for the peer listener
    /// to check, and the peer's certificate checked against the cluster's authorities and the host dialed.
    /// </summary>
    public SslClientAuthenticationOptions DialPeers(ILogger logger) => new()
    {
        // A context, not a certificate list: .NET would leave a listed certificate out when its issuer is not among
        // the authorities the server names in its request, and the peer listener names none of ours.
        ClientCertificateContext = SslStreamCertificateContext.Create(Certificate, _chain, offline: true),
        RemoteCertificateValidationCallback = (sender, certificate, presented, errors) =>
        {
            var host = (sender as SslStream)?.TargetHostName ?? "";
            string? reason;
            if (certificate is null)
                reason = "it presented no certificate";
            else if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                reason = $"its certificate does not name {host}";
            else
                reason = Distrust(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), presented);
            if (reason is null)
                return true;
            LogPeerDistrusted(logger, host, certificate?.Subject ?? "", reason);
            return false;
        },
    };

    /// <summary>Why <paramref name="certificate"/> is not a peer's (it does not chain to the cluster's authorities), or null.</summary>
    public string? Distrust(X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.ExtraStore.AddRange(_chain);
        // Intermediates the peer sent in its handshake.
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        // A cluster's private CA publishes no revocation list to ask (etcd checks none unless told to either).
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(certificate))
            return null;
        return string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).DefaultIfEmpty("untrusted"));
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a peer connection: certificate '{Subject}' issued by '{Issuer}' does not chain to this cluster's certificate authorities: {Reason}")]
    private static partial void LogPeerRefused(ILogger logger, string subject, string issuer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to talk to {Host}: certificate '{Subject}' is not a peer's: {Reason}")]
    private static partial void LogPeerDistrusted(ILogger logger, string host, string subject, string reason);
}
