using Doozer.Consensus.Messages;

namespace Doozer.Consensus;

/// <summary>
/// Everything one cycle of a <see cref="Replica"/> asks of its caller, in the order the caller must do it:
/// <list type="number">
/// <item>persist <see cref="Promised"/> (if set) and <see cref="Accepted"/> durably (fsync);</item>
/// <item>then send <see cref="Messages"/> (answers in them may depend on what was just persisted);</item>
/// <item>then apply <see cref="Decided"/> strictly in slot order, reporting configuration changes as it goes;</item>
/// <item>then serve <see cref="ReadGrants"/> once applied up to their index, and act on <see cref="InstallSnapshot"/>;</item>
/// <item>then call <see cref="Replica.Advance"/>.</item>
/// </list>
/// The lists are owned by the replica and reused after <see cref="Replica.Advance"/>; copy what must outlive it.
/// </summary>
public sealed class Ready
{
    internal readonly List<AcceptedEntry> AcceptedList = [];
    internal readonly List<Message> MessageList = [];
    internal readonly List<DecidedSlot> DecidedList = [];
    internal readonly List<ReadGrant> ReadGrantList = [];

    /// <summary>The promised ballot to persist, when it changed in this cycle.</summary>
    public Ballot? Promised { get; internal set; }

    /// <summary>Acceptances to persist (a later entry for the same slot supersedes an earlier one).</summary>
    public IReadOnlyList<AcceptedEntry> Accepted => AcceptedList;

    public IReadOnlyList<Message> Messages => MessageList;

    /// <summary>Decided slots, consecutive and in order, starting right after the last slot applied.</summary>
    public IReadOnlyList<DecidedSlot> Decided => DecidedList;

    public IReadOnlyList<ReadGrant> ReadGrants => ReadGrantList;

    public SnapshotRequest? InstallSnapshot { get; internal set; }

    internal bool IsEmpty =>
        Promised is null && AcceptedList.Count == 0 && MessageList.Count == 0 && DecidedList.Count == 0 &&
        ReadGrantList.Count == 0 && InstallSnapshot is null;

    internal void Clear()
    {
        Promised = null;
        AcceptedList.Clear();
        MessageList.Clear();
        DecidedList.Clear();
        ReadGrantList.Clear();
        InstallSnapshot = null;
    }
}
