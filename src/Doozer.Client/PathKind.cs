namespace Doozer.Client;

/// <summary>What a path of the tree is.</summary>
public enum PathKind
{
    /// <summary>A file holding bytes.</summary>
    File,

    /// <summary>A directory (implicit: it exists while something is under it).</summary>
    Directory,
}
