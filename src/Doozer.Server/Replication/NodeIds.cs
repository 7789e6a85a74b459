using System.Globalization;

namespace Doozer.Server.Replication;

/// <summary>
/// The consensus core names nodes by int; the tree names them by their generated id (32 hex digits). The int is a
/// pure function of the id, so every node derives the same one with no table to agree on: the first 31 bits of the
/// id. Two members whose ints collide are refused when the second one joins (<see cref="ClusterMembers"/>).
/// </summary>
public static class NodeIds
{
    public static int ToConsensusId(string nodeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        uint bits;
        if (nodeId.Length >= 8 && uint.TryParse(nodeId.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            bits = hex;
        }
        else
        {
            // Not one of ours (an operator's hand-made id): FNV-1a of its UTF-8 bytes, stable across processes
            // (string.GetHashCode is randomised per process).
            bits = 2166136261;
            foreach (var b in System.Text.Encoding.UTF8.GetBytes(nodeId))
                bits = (bits ^ b) * 16777619;
        }
        var id = (int)(bits & 0x7FFF_FFFF);
        // 0 is the node id of the zero ballot: keep it out of the way.
        return id == 0 ? 1 : id;
    }
}
