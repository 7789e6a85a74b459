using System.Buffers;
using System.Buffers.Binary;
using Doozer.Store.Binary;
using Doozer.Store.Paths;
using Doozer.Store.Tree;

namespace Doozer.Store.Snapshots;

/// <summary>
/// The frozen snapshot format (version 1), all integers little-endian, lengths unsigned LEB128:
/// <code>
/// "DZSN" | version:u8 = 1 | rev:i64 | count:i64 | count x (path:len+ASCII | rev:i64 | value:len+bytes) | crc32:u32
/// </code>
/// Files are in path order; the CRC-32 covers every byte before it. Golden-byte tests freeze this layout: a change
/// needs a new version number, and readers refuse versions they do not know.
/// </summary>
internal static class StoreSnapshot
{
    public const byte Version = 1;
    private static ReadOnlySpan<byte> Magic => "DZSN"u8;

    // Magic, version, rev, count; then at least the CRC.
    private const int HeaderLength = 4 + 1 + 8 + 8;

    public static byte[] Write(StoreView view)
    {
        var files = new List<(string Path, FileNode File)>();
        CollectFiles(view.Root.Entries, TreePath.Root, files);

        var buffer = new ArrayBufferWriter<byte>(HeaderLength + 4 + (files.Count * 32));
        buffer.Write(Magic);
        var writer = new ByteWriter(buffer);
        writer.WriteByte(Version);
        writer.WriteInt64(view.Rev);
        writer.WriteInt64(files.Count);
        foreach (var (path, file) in files)
        {
            writer.WritePath(path);
            writer.WriteInt64(file.Rev);
            writer.WriteBytes(file.Value);
        }
        var crc = Crc32.Compute(buffer.WrittenSpan);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.GetSpan(4), crc);
        buffer.Advance(4);
        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="FormatException">Not a version 1 snapshot, or corrupt.</exception>
    public static (long Rev, DirNode Root) Read(ReadOnlySpan<byte> snapshot)
    {
        if (snapshot.Length < Magic.Length + 1 || !snapshot.StartsWith(Magic))
            throw new FormatException("Not a Doozer store snapshot.");
        if (snapshot[Magic.Length] != Version)
            throw new FormatException($"Unknown store snapshot version {snapshot[Magic.Length]}.");
        if (snapshot.Length < HeaderLength + 4)
            throw new FormatException("Truncated store snapshot.");
        var body = snapshot[..^4];
        if (Crc32.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(snapshot[^4..]))
            throw new FormatException("Store snapshot checksum mismatch.");

        var reader = new ByteReader(body[(Magic.Length + 1)..]);
        var rev = reader.ReadInt64();
        var count = reader.ReadInt64();
        if (rev < 0 || count < 0 || count > reader.Remaining)
            throw new FormatException("Store snapshot header out of range.");
        var files = new List<(string Path, FileNode File)>((int)count);
        string? previous = null;
        for (var i = 0; i < count; i++)
        {
            var path = reader.ReadPath();
            var fileRev = reader.ReadInt64();
            var value = reader.ReadBytes().ToArray();
            if (path == TreePath.Root || fileRev < 1 || fileRev > rev)
                throw new FormatException("Store snapshot file out of range.");
            // In path order a file's descendants would follow it at once, so checking neighbours rules out a
            // path that is both a file and a directory.
            if (previous is not null &&
                (TreePath.Compare(previous, path) >= 0 || TreePath.IsAncestorOrSelf(previous, path)))
                throw new FormatException("Store snapshot files out of order.");
            files.Add((path, new FileNode(fileRev, value)));
            previous = path;
        }
        reader.ExpectEnd();

        var next = 0;
        var root = BuildDir(files, ref next, TreePath.Root);
        return (rev, root);
    }

    private static void CollectFiles(NameTree? entries, string dirPath, List<(string, FileNode)> output)
    {
        if (entries is null)
            return;
        CollectFiles(entries.Left, dirPath, output);
        var path = TreePath.Child(dirPath, entries.Name);
        if (entries.Value is DirNode dir)
            CollectFiles(dir.Entries, path, output);
        else
            output.Add((path, (FileNode)entries.Value));
        CollectFiles(entries.Right, dirPath, output);
    }

    /// <summary>Builds the directory at <paramref name="dirPath"/> from the run of (path-ordered) files below it.</summary>
    private static DirNode BuildDir(List<(string Path, FileNode File)> files, ref int next, string dirPath)
    {
        var prefix = dirPath == TreePath.Root ? TreePath.Root : dirPath + "/";
        var names = new List<string>();
        var nodes = new List<Node>();
        while (next < files.Count && files[next].Path.StartsWith(prefix, StringComparison.Ordinal))
        {
            var (path, file) = files[next];
            var slash = path.IndexOf('/', prefix.Length);
            if (slash < 0)
            {
                names.Add(path[prefix.Length..]);
                nodes.Add(file);
                next++;
            }
            else
            {
                var name = path[prefix.Length..slash];
                names.Add(name);
                nodes.Add(BuildDir(files, ref next, path[..slash]));
            }
        }
        return new DirNode(NameTree.FromSorted(names, nodes, 0, names.Count), names.Count);
    }
}
