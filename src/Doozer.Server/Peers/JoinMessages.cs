using System.Text.Json.Serialization;

namespace Doozer.Server.Peers;

/// <summary>A node asking a member to register it (ARCHITECTURE.md 4, attach): who it is and where to reach it.</summary>
public sealed record JoinRequest(string Cluster, string Id, string Name, string Url, string PeerUrl, string Version);

/// <summary>One configuration of the history a joining node starts from (consensus ids).</summary>
public sealed record JoinConfiguration(long AppliedSlot, int[] Voters, int[] Learners);

/// <summary>A member's peer address, by consensus id.</summary>
public sealed record JoinPeer(int Id, string PeerUrl);

/// <summary>The answer once the registration is applied: the configuration history and whom to dial.</summary>
public sealed record JoinResponse(IReadOnlyList<JoinConfiguration> Configurations, IReadOnlyList<JoinPeer> Peers);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(JoinResponse))]
internal sealed partial class JoinJsonContext : JsonSerializerContext;
