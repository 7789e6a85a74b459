namespace Doozer.Consensus.Wire;

/// <summary>
/// The type tag that follows the version byte. Values are part of the frozen wire format: never renumber, only add.
/// </summary>
internal enum MessageTag : byte
{
    Prepare = 1,
    Promise = 2,
    Rejected = 3,
    Accept = 4,
    Accepted = 5,
    Heartbeat = 6,
    HeartbeatAck = 7,
    FetchDecided = 8,
    DecidedValues = 9,
    SnapshotAvailable = 10,
    ForwardedProposals = 11,
    ReadIndexRequest = 12,
    ReadIndexResponse = 13,

    /// <summary>A <see cref="Messages.Prepare"/> that names the candidate's acceptances (its holding); one without is tag 1.</summary>
    PrepareHolding = 14,
}
