namespace Doozer.Consensus;

/// <summary>
/// Known bugs the simulator can switch on to prove it catches them. Test-only: set through
/// <see cref="ReplicaOptions.PlantedBug"/>, which is internal; <see cref="None"/> changes nothing.
/// </summary>
internal enum PlantedBug
{
    None,

    /// <summary>Acceptors answer before their promise/acceptance is in the Ready to persist (it is deferred a cycle).</summary>
    AckBeforePersist,

    /// <summary>A new leader skips slots nobody reported instead of filling them with no-ops.</summary>
    SkipGap,

    /// <summary>After a restart the proposer reuses the ballot it last used instead of a higher one.</summary>
    ReuseBallot,

    /// <summary>The leader ignores the alpha window: no pipeline bound, and every slot counted with the latest voters.</summary>
    IgnoreAlpha,

    /// <summary>
    /// A candidate names its acceptances in its Prepare (so promises leave them out) but does not recover them itself:
    /// a value every promise leaves out is lost.
    /// </summary>
    HoldingNotRecovered,
}
