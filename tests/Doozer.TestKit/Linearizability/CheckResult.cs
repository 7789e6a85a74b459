namespace Doozer.TestKit.Linearizability;

/// <summary>The verdict of a linearizability check.</summary>
public enum CheckResult
{
    /// <summary>Every partition has a linearization.</summary>
    Ok,

    /// <summary>Some partition has no linearization: the system broke linearizability.</summary>
    Illegal,

    /// <summary>The search ran out of time or steps before it could decide. Never a pass.</summary>
    Unknown,
}
