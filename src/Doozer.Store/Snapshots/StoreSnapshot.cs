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

    /// <summary>The snapshot of <paramref name="view"/> in one array of exactly its length.</summary>
    public static byte[] Write(StoreView view)
    {
        var bytes = new byte[Measure(view).Length];
        using var output = new MemoryStream(bytes, writable: true);
        Write(view, output);
        return bytes;
    }

    /// <summary>
    /// The exact length of <paramref name="view"/>'s snapshot and the number of files in it, from a walk of the tree
    /// that allocates nothing.
    /// </summary>
    public static (long Length, long Count) Measure(StoreView view)
    {
        var length = (long)HeaderLength + 4;
        var count = 0L;
        Measure(view.Root.Entries, 1, ref length, ref count);
        return (length, count);
    }

    private static void Measure(NameTree? entries, int prefixLength, ref long length, ref long count)
    {
        if (entries is null)
            return;
        Measure(entries.Left, prefixLength, ref length, ref count);
        if (entries.Value is DirNode dir)
        {
            Measure(dir.Entries, prefixLength + entries.Name.Length + 1, ref length, ref count);
        }
        else
        {
            var pathLength = prefixLength + entries.Name.Length;
            var valueLength = ((FileNode)entries.Value).Value.Length;
            length += LengthOfLength(pathLength) + pathLength + sizeof(long) + LengthOfLength(valueLength) + valueLength;
            count++;
        }
        Measure(entries.Right, prefixLength, ref length, ref count);
    }

    private static int LengthOfLength(int length)
    {
        var bytes = 1;
        for (var value = (uint)length; value >= 0x80; value >>= 7)
            bytes++;
        return bytes;
    }

    /// <summary>
    /// Writes the snapshot of <paramref name="view"/> to <paramref name="output"/> in chunks, so that a tree of any
    /// size costs one small buffer rather than a copy of itself. The bytes are those of <see cref="Write(StoreView)"/>.
    /// </summary>
    public static void Write(StoreView view, Stream output)
    {
        var (_, count) = Measure(view);
        using var chunks = new ChunkWriter(output);
        chunks.Write(Magic);
        var writer = new ByteWriter(chunks);
        writer.WriteByte(Version);
        writer.WriteInt64(view.Rev);
        writer.WriteInt64(count);
        // The path of the directory being written, with its trailing slash: files are written without a string each.
        var prefix = new PathPrefix();
        WriteFiles(view.Root.Entries, prefix, chunks, writer);
        chunks.Complete();
    }

    private static void WriteFiles(NameTree? entries, PathPrefix prefix, ChunkWriter chunks, ByteWriter writer)
    {
        if (entries is null)
            return;
        WriteFiles(entries.Left, prefix, chunks, writer);
        var mark = prefix.Length;
        if (entries.Value is DirNode dir)
        {
            prefix.Append(entries.Name, slash: true);
            WriteFiles(dir.Entries, prefix, chunks, writer);
            prefix.Length = mark;
        }
        else
        {
            var file = (FileNode)entries.Value;
            prefix.Append(entries.Name, slash: false);
            writer.WriteLength(prefix.Length);
            chunks.Write(prefix.Bytes);
            prefix.Length = mark;
            writer.WriteInt64(file.Rev);
            writer.WriteBytes(file.Value);
        }
        WriteFiles(entries.Right, prefix, chunks, writer);
    }

    /// <summary>A path being built name by name (valid paths are ASCII: one byte per char).</summary>
    private sealed class PathPrefix
    {
        private byte[] _bytes = new byte[256];

        public PathPrefix() => _bytes[0] = (byte)'/';

        public int Length { get; set; } = 1;

        public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, Length);

        public void Append(string name, bool slash)
        {
            var needed = Length + name.Length + 1;
            if (needed > _bytes.Length)
                Array.Resize(ref _bytes, Math.Max(needed, 2 * _bytes.Length));
            for (var i = 0; i < name.Length; i++)
                _bytes[Length + i] = (byte)name[i];
            Length += name.Length;
            if (slash)
                _bytes[Length++] = (byte)'/';
        }
    }

    /// <summary>Buffers writes into pooled chunks, sends each full chunk to the stream, and keeps the CRC-32 of all of them.</summary>
    private sealed class ChunkWriter(Stream output) : IBufferWriter<byte>, IDisposable
    {
        private const int ChunkSize = 64 * 1024;

        private byte[] _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        private int _used;
        private uint _crc = Crc32.Start;

        public void Advance(int count) => _used += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return _chunk.AsMemory(_used);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return _chunk.AsSpan(_used);
        }

        private void Reserve(int sizeHint)
        {
            sizeHint = Math.Max(sizeHint, 1);
            if (_chunk.Length - _used >= sizeHint)
                return;
            Flush();
            if (_chunk.Length < sizeHint)
            {
                ArrayPool<byte>.Shared.Return(_chunk);
                _chunk = ArrayPool<byte>.Shared.Rent(sizeHint);
            }
        }

        private void Flush()
        {
            _crc = Crc32.Append(_crc, _chunk.AsSpan(0, _used));
            output.Write(_chunk, 0, _used);
            _used = 0;
        }

        /// <summary>Sends what is buffered, then the CRC-32 of everything written.</summary>
        public void Complete()
        {
            Flush();
            BinaryPrimitives.WriteUInt32LittleEndian(_chunk, Crc32.Finish(_crc));
            output.Write(_chunk, 0, 4);
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = [];
        }
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
