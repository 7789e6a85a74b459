namespace Doozer.Server.Hosting;

/// <summary>
/// Who this node is. The id is generated on first start and kept in the data directory; in memory mode every start
/// is a first start, so a restarted node comes back as a new node and never votes under an old id.
/// </summary>
public sealed class NodeIdentity(string id, string name)
{
    public string Id { get; } = id;

    public string Name { get; } = name;

    /// <summary>The public URL, final once the listeners are bound (port 0 gets a real port then).</summary>
    public string Url { get; set; } = "";

    /// <summary>The URL peers dial to reach this node's peer channel.</summary>
    public string PeerUrl { get; set; } = "";

    /// <summary>A new id: 16 random bytes as lower-case hex, unique without coordination and safe in a path name.</summary>
    public static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
}
