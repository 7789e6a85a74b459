namespace Doozer.Server.Hosting;

/// <summary>
/// Who this node is. The id is generated on first start; in memory mode every start is a first start,
/// so a restarted node comes back as a new node and never votes under an old id.
/// </summary>
public sealed class NodeIdentity(string id, string name)
{
    public string Id { get; } = id;

    public string Name { get; } = name;

    /// <summary>The public URL, known once the server listens (port 0 gets a real port then).</summary>
    public string Url { get; set; } = "";

    public static NodeIdentity Create(string name, string url) =>
        // 16 random bytes as lower-case hex: unique without coordination, safe in a path name.
        new(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)), name) { Url = url };
}
