using System.Text.Json.Serialization;

namespace Doozer.TestKit.Processes;

/// <summary>A node's answer to <c>GET /cluster</c> (API.md section 3.6).</summary>
public sealed record ClusterStatus(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("self")] string Self,
    [property: JsonPropertyName("leader")] string? Leader,
    [property: JsonPropertyName("rev")] long Rev,
    [property: JsonPropertyName("members")] IReadOnlyList<ClusterMember> Members)
{
    /// <summary>How many members are voters.</summary>
    public int Voters => Members.Count(m => m.IsVoter);

    /// <summary>How many members are learners.</summary>
    public int Learners => Members.Count(m => !m.IsVoter);

    public override string ToString() =>
        $"self {Self} leader {Leader ?? "none"} rev {Rev} members [{string.Join(", ", Members.Select(m => m.ToString()))}]";
}

/// <summary>One member in <see cref="ClusterStatus"/>; <see cref="Applied"/> may be known only for the node answering.</summary>
public sealed record ClusterMember(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("peerUrl")] string? PeerUrl,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("applied")] long? Applied)
{
    public bool IsVoter => string.Equals(Role, "voter", StringComparison.Ordinal);

    public override string ToString() => $"{Name ?? Id}({Role}{(Applied is { } a ? $", applied {a}" : "")})";
}
