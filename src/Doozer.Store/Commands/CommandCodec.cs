using System.Buffers;
using Doozer.Store.Binary;
using Doozer.Store.Paths;

namespace Doozer.Store.Commands;

/// <summary>
/// The versioned binary encoding of commands, as they travel through the replicated log.
/// The format is frozen by golden-byte tests; an unknown version refuses to decode.
/// </summary>
/// <remarks>
/// Version 1, integers little-endian, lengths unsigned LEB128 (shortest form):
/// <code>
/// version:u8 = 1 | tag:u8 | origin:u8 | fields
///   Set (1):        path:len+ASCII | value:len+bytes | precondition
///   Delete (2):     path:len+ASCII | precondition
///   DeleteTree (3): path:len+ASCII
///   Nop (4):        (nothing)
/// precondition = kind:u8 | count:len | count x rev:i64
/// </code>
/// </remarks>
public static class CommandCodec
{
    public const byte Version = 1;

    private const byte SetTag = 1;
    private const byte DeleteTag = 2;
    private const byte DeleteTreeTag = 3;
    private const byte NopTag = 4;

    /// <exception cref="ArgumentException">The command holds an invalid path: it could never be decoded.</exception>
    public static void Encode(Command command, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new ByteWriter(output);
        writer.WriteByte(Version);
        switch (command)
        {
            case SetCommand set:
                RequireValidPath(set.Path);
                writer.WriteByte(SetTag);
                writer.WriteByte((byte)set.Origin);
                writer.WritePath(set.Path);
                writer.WriteBytes(set.Value.Span);
                WritePrecondition(writer, set.Precondition);
                break;
            case DeleteCommand delete:
                RequireValidPath(delete.Path);
                writer.WriteByte(DeleteTag);
                writer.WriteByte((byte)delete.Origin);
                writer.WritePath(delete.Path);
                WritePrecondition(writer, delete.Precondition);
                break;
            case DeleteTreeCommand deleteTree:
                RequireValidPath(deleteTree.Path);
                writer.WriteByte(DeleteTreeTag);
                writer.WriteByte((byte)deleteTree.Origin);
                writer.WritePath(deleteTree.Path);
                break;
            case NopCommand nop:
                writer.WriteByte(NopTag);
                writer.WriteByte((byte)nop.Origin);
                break;
            default:
                throw new ArgumentException($"Unknown command {command.GetType().Name}.", nameof(command));
        }
    }

    public static byte[] Encode(Command command)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Encode(command, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="FormatException">The bytes are not a command of a known version.</exception>
    public static Command Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        var version = reader.ReadByte();
        if (version != Version)
            throw new FormatException($"Unknown command encoding version {version}.");
        var tag = reader.ReadByte();
        var originByte = reader.ReadByte();
        if (originByte > (byte)CommandOrigin.Cluster)
            throw new FormatException($"Unknown command origin {originByte}.");
        var origin = (CommandOrigin)originByte;
        Command command = tag switch
        {
            SetTag => new SetCommand(reader.ReadPath(), reader.ReadBytes().ToArray(), ReadPrecondition(ref reader)),
            DeleteTag => new DeleteCommand(reader.ReadPath(), ReadPrecondition(ref reader)),
            DeleteTreeTag => new DeleteTreeCommand(reader.ReadPath()),
            NopTag => new NopCommand(),
            _ => throw new FormatException($"Unknown command tag {tag}."),
        };
        reader.ExpectEnd();
        return command with { Origin = origin };
    }

    private static void WritePrecondition(ByteWriter writer, Precondition precondition)
    {
        writer.WriteByte((byte)precondition.Kind);
        var revs = precondition.Revs ?? [];
        writer.WriteLength(revs.Length);
        foreach (var rev in revs)
            writer.WriteInt64(rev);
    }

    private static Precondition ReadPrecondition(ref ByteReader reader)
    {
        var kind = reader.ReadByte();
        if (kind > (byte)PreconditionKind.RevIn)
            throw new FormatException($"Unknown precondition kind {kind}.");
        var count = reader.ReadLength();
        if (count > reader.Remaining / sizeof(long))
            throw new FormatException("Precondition revisions truncated.");
        // RevIn keeps its (possibly empty) list; the other kinds carry none unless one was encoded.
        long[]? revs = count == 0 && kind != (byte)PreconditionKind.RevIn ? null : new long[count];
        for (var i = 0; i < count; i++)
            revs![i] = reader.ReadInt64();
        return new Precondition((PreconditionKind)kind, revs);
    }

    private static void RequireValidPath(string path)
    {
        if (path is null || !TreePath.IsValid(path))
            throw new ArgumentException($"Not a valid tree path: '{path}'.", nameof(path));
    }
}
