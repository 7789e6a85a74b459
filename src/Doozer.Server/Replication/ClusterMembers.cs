using System.Text;
using Doozer.Consensus;
using Doozer.Server.Api;
using Doozer.Store.Tree;

namespace Doozer.Server.Replication;

/// <summary>One node as the tree records it under /ctl/node/&lt;id&gt;, and whether a voter slot holds its id.</summary>
public sealed record ClusterMember(string Id, int ConsensusId, string Name, string Url, string PeerUrl, string? Slot)
{
    public bool IsVoter => Slot is not null;
}

/// <summary>
/// The membership, read from the tree (configuration is data, ARCHITECTURE.md 3): voters are the ids in the voter
/// slots /ctl/cal/&lt;n&gt;, learners every other node registered under /ctl/node/&lt;id&gt;. Every node derives
/// the same membership from the same applied slot, which is what makes it safe to feed to the consensus core.
/// </summary>
public sealed class ClusterMembers
{
    // Far more slots and nodes than any cluster has; a bound only so a listing is never unbounded.
    private const int MaxListed = 100_000;

    private readonly Dictionary<int, ClusterMember> _byConsensusId;

    private ClusterMembers(IReadOnlyList<ClusterMember> members, IReadOnlyList<string> vacantSlots)
    {
        Members = members;
        VacantSlots = vacantSlots;
        _byConsensusId = [];
        foreach (var member in members)
            _byConsensusId.TryAdd(member.ConsensusId, member);
    }

    public static ClusterMembers Empty { get; } = new([], []);

    /// <summary>Registered nodes in id order.</summary>
    public IReadOnlyList<ClusterMember> Members { get; }

    /// <summary>Paths of empty voter slots, in slot order: what a learner may claim.</summary>
    public IReadOnlyList<string> VacantSlots { get; }

    public ClusterMember? Find(int consensusId) => _byConsensusId.GetValueOrDefault(consensusId);

    public ClusterMember? Find(string id)
    {
        var member = Find(NodeIds.ToConsensusId(id));
        return member?.Id == id ? member : null;
    }

    /// <summary>
    /// The configuration for the consensus core, or null when no slot names a registered node (an operator emptied
    /// every slot): a cluster cannot have zero voters, so the previous configuration stays in force.
    /// </summary>
    public Configuration? ToConfiguration()
    {
        var voters = Members.Where(m => m.IsVoter).Select(m => m.ConsensusId).ToArray();
        return voters.Length == 0 ? null : new Configuration(voters, Members.Where(m => !m.IsVoter).Select(m => m.ConsensusId));
    }

    public static ClusterMembers Read(StoreView view)
    {
        var slotOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var vacant = new List<(long Number, string Path)>();
        foreach (var slot in view.List(ControlPaths.Slots, null, MaxListed).Entries)
        {
            if (slot.Kind != NodeKind.File)
                continue;
            var path = $"{ControlPaths.Slots}/{slot.Name}";
            var id = Text(view, path);
            if (id.Length == 0)
            {
                if (long.TryParse(slot.Name, out var number))
                    vacant.Add((number, path));
            }
            else
            {
                slotOf.TryAdd(id, path);
            }
        }
        var members = new List<ClusterMember>();
        foreach (var node in view.List(ControlPaths.Nodes, null, MaxListed).Entries)
        {
            if (node.Kind != NodeKind.Dir)
                continue;
            var dir = $"{ControlPaths.Nodes}/{node.Name}";
            members.Add(new ClusterMember(node.Name, NodeIds.ToConsensusId(node.Name), Text(view, dir + "/name"),
                Text(view, dir + "/url"), Text(view, dir + "/peerUrl"), slotOf.GetValueOrDefault(node.Name)));
        }
        return new ClusterMembers(members, [.. vacant.OrderBy(v => v.Number).Select(v => v.Path)]);
    }

    /// <summary>The files that register a node under /ctl/node/&lt;id&gt;, as (path, value), written on bootstrap and on join.</summary>
    public static (string Path, string Value)[] Registration(string id, string name, string url, string peerUrl, string version)
    {
        var dir = $"{ControlPaths.Nodes}/{id}";
        return [(dir + "/name", name), (dir + "/url", url), (dir + "/peerUrl", peerUrl), (dir + "/version", version)];
    }

    /// <summary>This build's version, as a node registers it.</summary>
    public static string Version { get; } = typeof(ClusterMembers).Assembly.GetName().Version?.ToString() ?? "";

    public static string Text(StoreView view, string path)
    {
        var lookup = view.Get(path);
        return lookup is { Status: ReadStatus.Ok, Kind: NodeKind.File } ? Encoding.UTF8.GetString(lookup.Value.Span) : "";
    }
}
