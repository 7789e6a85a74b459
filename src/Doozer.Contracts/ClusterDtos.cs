namespace Doozer.Contracts;

/// <summary>The cluster as this node sees it (<c>GET /cluster</c>).</summary>
/// <param name="Name">The cluster name.</param>
/// <param name="Self">The id of the node answering.</param>
/// <param name="Leader">The id of the leader, or null when there is none.</param>
/// <param name="Rev">The store revision the answer was read at.</param>
/// <param name="Members">Every registered node.</param>
public sealed record ClusterResponse(string Name, string Self, string? Leader, long Rev, IReadOnlyList<MemberDto> Members);

/// <summary>A node of the cluster.</summary>
/// <param name="Id">The node's id.</param>
/// <param name="Name">The node's human name.</param>
/// <param name="Url">The node's public API URL.</param>
/// <param name="PeerUrl">The node's peer channel URL.</param>
/// <param name="Role"><c>voter</c> or <c>learner</c>.</param>
/// <param name="Applied">The revision the node has applied, for the node answering; null for the others, whose
/// progress the answering node does not track.</param>
public sealed record MemberDto(string Id, string Name, string Url, string PeerUrl, string Role, long? Applied);
