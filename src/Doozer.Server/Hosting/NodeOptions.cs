namespace Doozer.Server.Hosting;

/// <summary>
/// A node's settings (ARCHITECTURE.md section 4). Bound from the "Doozer" configuration section, which the command
/// line, environment variables (Doozer__History=...) and appsettings all feed.
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "Doozer";

    /// <summary>Human name of the node; defaults to the host name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>HOST:PORT of the public API, SSE and web view.</summary>
    public string Listen { get; set; } = "127.0.0.1:8046";

    /// <summary>Keep nothing on disk. Until the write-ahead log exists this is the only mode.</summary>
    public bool Memory { get; set; } = true;

    /// <summary>Data directory for the write-ahead log; not supported yet.</summary>
    public string? Data { get; set; }

    /// <summary>Revisions of history kept for reads at a revision, walks and watch resumes.</summary>
    public int History { get; set; } = 100_000;

    /// <summary>Largest file value in bytes.</summary>
    public int MaxValueBytes { get; set; } = 1_048_576;

    /// <summary>Cluster name written to /ctl/name on bootstrap.</summary>
    public string Cluster { get; set; } = "local";

    /// <summary>Read-write secret (also DOOZER_RWSECRET); null leaves the node open.</summary>
    public string? Secret { get; set; }

    /// <summary>Read-only secret (also DOOZER_ROSECRET); needs <see cref="Secret"/>.</summary>
    public string? RoSecret { get; set; }

    /// <summary>Returns the first problem with these settings, or null when they are usable.</summary>
    public string? Validate()
    {
        if (Data is not null)
            return "--data is not supported yet: this build keeps the tree in memory only (--memory).";
        if (History < 1)
            return "--history must be at least 1.";
        if (MaxValueBytes < 0)
            return "--max-value-bytes must not be negative.";
        if (RoSecret is not null && Secret is null)
            return "--ro-secret needs --secret: a read-only secret on an open node would protect nothing.";
        if (string.IsNullOrWhiteSpace(Name))
            return "--name must not be empty.";
        if (!ListenAddress.TryParse(Listen, out _))
            return $"--listen must be HOST:PORT, got '{Listen}'.";
        return null;
    }
}
