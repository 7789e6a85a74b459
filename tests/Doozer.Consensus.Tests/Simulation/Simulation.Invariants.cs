using Doozer.Consensus.Messages;

namespace Doozer.Consensus.Tests.Simulation;

// The oracle. Agreement, validity, prefix, durability, ballot uniqueness, quorum-backed decisions, read index.
internal sealed partial class Simulation
{
    private readonly Dictionary<long, SlotValue> globalDecided = [];
    private long maxDecided;
    private readonly Dictionary<long, byte[]> proposed = [];
    private readonly Dictionary<long, long> pendingRequests = [];
    private readonly Dictionary<(long Slot, Ballot Ballot), SlotValue> proposedInBallot = [];
    private readonly Dictionary<long, List<(Ballot Ballot, SlotValue Value, HashSet<int> Nodes)>> acceptances = [];
    private readonly Dictionary<long, long> readFloor = [];

    private void CheckDecision(SimNode node, long slot, SlotValue value)
    {
        // Validity: only proposed commands (or a no-op) are ever decided.
        foreach (var command in value.Commands)
        {
            if (!proposed.TryGetValue(command.RequestId, out var payload) || !command.Payload.Span.SequenceEqual(payload))
                Violation($"validity: slot {slot} at n{node.Id} holds request {command.RequestId} that was never proposed");
        }
        if (globalDecided.TryGetValue(slot, out var earlier))
        {
            // Agreement (and with in-order application, prefix): every node applies the same value at a slot.
            if (!earlier.SameAs(value))
                Violation($"agreement: slot {slot}: n{node.Id} applies {value} but {earlier} was decided before");
            return;
        }
        globalDecided[slot] = value;
        if (slot > maxDecided)
            maxDecided = slot;
        foreach (var command in value.Commands)
            pendingRequests.Remove(command.RequestId);
        CheckQuorumBacked(node, slot, value);
    }

    // A decision must rest on a majority of the voters governing that slot (alpha window) that durably accepted the
    // value in one ballot.
    private void CheckQuorumBacked(SimNode node, long slot, SlotValue value)
    {
        var voters = ConfigurationAt(node, slot);
        if (acceptances.TryGetValue(slot, out var votes))
        {
            foreach (var (_, accepted, by) in votes)
            {
                if (accepted.SameAs(value) && voters.CountVoters(by) >= voters.Quorum)
                    return;
            }
        }
        Violation($"quorum: slot {slot} decided {value} without a majority of its voters {voters} having persisted it in one ballot");
    }

    private void RecordAcceptance(int node, AcceptedEntry entry)
    {
        if (!acceptances.TryGetValue(entry.Slot, out var votes))
            acceptances[entry.Slot] = votes = [];
        foreach (var vote in votes)
        {
            if (vote.Ballot == entry.Ballot)
            {
                if (!vote.Value.SameAs(entry.Value))
                    Violation($"ballot {entry.Ballot} has two values for slot {entry.Slot}: {vote.Value} and {entry.Value}");
                vote.Nodes.Add(node);
                return;
            }
        }
        votes.Add((entry.Ballot, entry.Value, [node]));
    }

    private readonly Dictionary<Ballot, int> ballotIncarnation = [];

    private void NoteSent(SimNode node, Message message)
    {
        switch (message)
        {
            case Prepare prepare:
                // Ballots are never reused: one incarnation of its owner starts each ballot.
                if (ballotIncarnation.TryGetValue(prepare.Ballot, out var incarnation))
                {
                    if (incarnation != node.Incarnation)
                        Violation($"ballot {prepare.Ballot} reused by n{node.Id} after a restart");
                }
                else
                {
                    ballotIncarnation[prepare.Ballot] = node.Incarnation;
                }
                break;
            case Accept accept:
                // A ballot proposes at most one value per slot; a reused ballot breaks exactly this.
                if (proposedInBallot.TryGetValue((accept.Slot, accept.Ballot), out var earlier))
                {
                    if (!earlier.SameAs(accept.Value))
                        Violation($"ballot {accept.Ballot} proposed two values for slot {accept.Slot}: {earlier} and {accept.Value}");
                }
                else
                {
                    proposedInBallot[(accept.Slot, accept.Ballot)] = accept.Value;
                }
                break;
            case Promise promise:
                CheckDurableBeforeSend(node, promise.Ballot, null);
                node.MaxPromiseSent = Ballot.Max(node.MaxPromiseSent, promise.Ballot);
                break;
            case Accepted accepted:
                CheckDurableBeforeSend(node, accepted.Ballot, accepted.Slot);
                node.MaxPromiseSent = Ballot.Max(node.MaxPromiseSent, accepted.Ballot);
                if (!node.MaxAcceptedSent.TryGetValue(accepted.Slot, out var before) || accepted.Ballot > before)
                    node.MaxAcceptedSent[accepted.Slot] = accepted.Ballot;
                break;
        }
    }

    // Nothing is sent that depends on state not yet durable.
    private void CheckDurableBeforeSend(SimNode node, Ballot ballot, long? slot)
    {
        if (node.DurablePromised < ballot)
            Violation($"durability: n{node.Id} answered ballot {ballot} with only {node.DurablePromised} promised on disk");
        if (slot is { } s && s > node.SnapshotSlot &&
            (!node.DurableAccepted.TryGetValue(s, out var entry) || entry.Ballot < ballot))
            Violation($"durability: n{node.Id} acknowledged slot {s} in {ballot} before persisting it");
    }

    // Promises never regress: in memory, and across restarts against everything the node ever answered.
    private void CheckPromiseMonotonic(SimNode node)
    {
        if (node.Replica is not { } replica)
            return;
        if (replica.Promised < node.LastPromisedSeen)
            Violation($"durability: n{node.Id} promise went from {node.LastPromisedSeen} down to {replica.Promised}");
        node.LastPromisedSeen = replica.Promised;
    }

    private void CheckRestart(SimNode node)
    {
        var replica = node.Replica!;
        if (replica.Promised < node.MaxPromiseSent)
            Violation($"durability: n{node.Id} restarted with promise {replica.Promised} after answering {node.MaxPromiseSent}");
        foreach (var (slot, ballot) in node.MaxAcceptedSent)
        {
            if (slot > node.SnapshotSlot && (!node.DurableAccepted.TryGetValue(slot, out var entry) || entry.Ballot < ballot))
                Violation($"durability: n{node.Id} lost its acceptance of slot {slot} in {ballot} across a restart");
        }
        node.LastPromisedSeen = replica.Promised;
    }

    private void CheckRead(SimNode node, ReadGrant grant)
    {
        // Linearizable read: the index covers every slot decided (applied anywhere) before the read was asked.
        if (readFloor.TryGetValue(grant.ReadId, out var floor) && grant.Index < floor)
            Violation($"read index: read {grant.ReadId} at n{node.Id} granted index {grant.Index} but slot {floor} was decided before it was asked");
    }

    private bool LivenessReached()
    {
        if (pendingRequests.Count > 0)
            return false;
        foreach (var node in All)
        {
            if (!node.IsUp || node.Applied != maxDecided)
                return false;
        }
        return true;
    }
}
