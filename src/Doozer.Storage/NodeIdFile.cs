using System.Text;

namespace Doozer.Storage;

/// <summary>
/// The node identity file, version 1: the ASCII text <c>"doozer-node-id 1\n" + id + "\n"</c>. Text, so an operator
/// can read it; versioned like every durable format. Written once, atomically; never rewritten.
/// </summary>
internal static class NodeIdFile
{
    public const string FileName = "node-id";

    private const string Header = "doozer-node-id 1";

    public static byte[] Encode(string nodeId)
    {
        Validate(nodeId);
        return Encoding.ASCII.GetBytes(Header + "\n" + nodeId + "\n");
    }

    public static string Decode(ReadOnlySpan<byte> contents, string path)
    {
        var text = Encoding.ASCII.GetString(contents);
        var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
        if (firstLine < 0 || !text.StartsWith("doozer-node-id ", StringComparison.Ordinal))
        {
            throw new StorageCorruptException(path, 0, "not a Doozer node id file");
        }
        if (text[..firstLine] != Header)
        {
            throw new StorageCorruptException(path, 15, $"unsupported node id file version '{text[15..firstLine]}' (this build reads version 1)");
        }
        var rest = text[(firstLine + 1)..];
        if (rest.Length < 2 || rest[^1] != '\n' || rest.IndexOf('\n', StringComparison.Ordinal) != rest.Length - 1)
        {
            throw new StorageCorruptException(path, firstLine + 1, "node id file is truncated or has extra content");
        }
        var id = rest[..^1];
        if (!IsValid(id))
        {
            throw new StorageCorruptException(path, firstLine + 1, "node id contains characters outside [A-Za-z0-9._-]");
        }
        return id;
    }

    public static void Validate(string nodeId)
    {
        if (!IsValid(nodeId))
        {
            throw new ArgumentException("a node id is 1-128 characters of [A-Za-z0-9._-]", nameof(nodeId));
        }
    }

    // The id appears in paths of the tree (/ctl/node/<id>) and in file contents: keep it to safe characters.
    private static bool IsValid(string id)
    {
        if (id.Length is 0 or > 128)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }
}
