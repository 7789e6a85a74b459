namespace Doozer.Client;

/// <summary>One file found by <see cref="DoozerClient.WalkAsync"/>.</summary>
/// <param name="Path">The file.</param>
/// <param name="Rev">Its revision.</param>
/// <param name="Value">Its bytes.</param>
/// <param name="StoreRev">The revision the whole walk is pinned at.</param>
public sealed record WalkFile(string Path, long Rev, byte[] Value, long StoreRev);
