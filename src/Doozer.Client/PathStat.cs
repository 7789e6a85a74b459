namespace Doozer.Client;

/// <summary>What <see cref="DoozerClient.StatAsync"/> learns about a path: doozer's STAT.</summary>
/// <param name="Path">The path.</param>
/// <param name="Kind">File or directory.</param>
/// <param name="Rev">A file's revision; 0 for a directory.</param>
/// <param name="Size">A file's size in bytes; 0 for a directory.</param>
/// <param name="StoreRev">The store revision the answer was read at.</param>
public sealed record PathStat(string Path, PathKind Kind, long Rev, long Size, long StoreRev);
