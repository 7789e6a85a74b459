using System.Text.Json.Serialization;

namespace Doozer.Contracts;

/// <summary>The body of a successful write: the path written and the revision it committed at.</summary>
/// <param name="Path">The file written.</param>
/// <param name="Rev">The file's new revision (also its <c>ETag</c>).</param>
public sealed record WriteResponse(string Path, long Rev);

/// <summary>A directory listing page (<c>GET /tree/{path}</c> on a directory).</summary>
/// <param name="Path">The directory listed.</param>
/// <param name="Rev">The store revision the listing was read at.</param>
/// <param name="Entries">Entries in ordinal order of their names.</param>
/// <param name="Next">The last name of this page, to pass as <c>after</c>; null when nothing follows.</param>
public sealed record DirListing(string Path, long Rev, IReadOnlyList<DirEntryDto> Entries, string? Next);

/// <summary>One directory entry.</summary>
/// <param name="Name">The entry's name.</param>
/// <param name="Kind"><c>file</c> or <c>dir</c>.</param>
/// <param name="Rev">A file's revision; absent for directories.</param>
/// <param name="Size">A file's size in bytes; absent for directories.</param>
public sealed record DirEntryDto(
    string Name,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Rev = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Size = null);

/// <summary>A page of a walk (<c>GET /walk</c>).</summary>
/// <param name="Rev">The revision the walk is pinned at.</param>
/// <param name="Files">Matching files in path order.</param>
/// <param name="Next">The last path of this page, to pass as <c>after</c>; null when nothing follows.</param>
public sealed record WalkResponse(long Rev, IReadOnlyList<WalkFileDto> Files, string? Next);

/// <summary>One file of a walk.</summary>
/// <param name="Path">The file's path.</param>
/// <param name="Rev">The file's revision.</param>
/// <param name="Size">The value's size in bytes.</param>
/// <param name="Value">The value, base64 (or UTF-8 text with <c>encoding=utf8</c>).</param>
public sealed record WalkFileDto(string Path, long Rev, int Size, string Value);

/// <summary>A store revision (<c>GET /rev</c>, <c>POST /nop</c>).</summary>
/// <param name="Rev">The revision.</param>
public sealed record RevResponse(long Rev);

/// <summary>The node answering (<c>GET /self</c>).</summary>
/// <param name="Id">The node's id.</param>
/// <param name="Name">The node's human name.</param>
public sealed record SelfResponse(string Id, string Name);
