namespace Doozer.Client;

/// <summary>A file's value and revision, as read by <see cref="DoozerClient.GetAsync"/>.</summary>
/// <param name="Path">The file.</param>
/// <param name="Value">Its bytes.</param>
/// <param name="Rev">Its revision: the store revision that last set it.</param>
/// <param name="StoreRev">The store revision the read was served at.</param>
public sealed record DoozerFile(string Path, byte[] Value, long Rev, long StoreRev);
