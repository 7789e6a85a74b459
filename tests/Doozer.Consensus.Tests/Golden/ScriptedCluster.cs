using System.Text;
using Doozer.Consensus.Messages;

namespace Doozer.Consensus.Tests.Golden;

/// <summary>
/// A hand-driven cluster for golden scenarios: messages wait in one FIFO until the script delivers or drops them,
/// and every persist, send, delivery, decision and configuration change is written to a readable transcript.
/// </summary>
internal sealed class ScriptedCluster
{
    private readonly Dictionary<int, Replica?> replicas = [];
    private readonly Dictionary<int, (Ballot Promised, Dictionary<long, AcceptedEntry> Accepted)> disks = [];
    private readonly Dictionary<int, Configuration> applied = [];
    private readonly Dictionary<int, long> appliedSlots = [];
    private readonly List<Message> inFlight = [];
    private readonly StringBuilder transcript = new();
    private readonly Configuration initial;
    private readonly int alpha;
    private readonly int? commandsPerSlot;

    private static readonly int DefaultCommandsPerSlot =
        new ReplicaOptions { NodeId = 1, InitialConfiguration = new Configuration([1]) }.MaxCommandsPerSlot;

    /// <param name="commandsPerSlot">A smaller batch limit, so that a few commands fill slots and go out pipelined.</param>
    public ScriptedCluster(Configuration initial, int alpha = 4, int? commandsPerSlot = null)
    {
        this.initial = initial;
        this.alpha = alpha;
        this.commandsPerSlot = commandsPerSlot;
        foreach (var id in initial.Voters.Concat(initial.Learners))
        {
            disks[id] = (Ballot.Zero, []);
            applied[id] = initial;
            appliedSlots[id] = 0;
            replicas[id] = New(id, null);
        }
        Line($"cluster: {initial}, alpha {alpha}" + (commandsPerSlot is { } limit ? $", {limit} command(s) per slot" : ""));
    }

    public string Transcript => transcript.ToString();

    public Replica Node(int id) => replicas[id]!;

    public void Section(string title) => Line($"\n## {title}");

    /// <summary>Ticks a node until it starts an election (its randomised timeout is seeded, so fixed).</summary>
    public void TimeoutElection(int id)
    {
        var ticks = 0;
        while (Node(id).Role != Role.Candidate)
        {
            Node(id).Tick();
            ticks++;
        }
        Line($"n{id}: election timeout after {ticks} ticks");
        Cycle(id);
    }

    /// <summary>
    /// The node hears nothing for a minimum election timeout (10 ticks), so it stops counting its leader as live and
    /// will promise a higher ballot again (leader stickiness).
    /// </summary>
    public void MissLeader(int id)
    {
        for (var i = 0; i < 10; i++)
            Node(id).Tick();
        Line($"n{id}: 10 ticks without hearing the leader");
        Cycle(id);
    }

    public void Heartbeat(int id)
    {
        var replica = Node(id);
        for (var i = 0; i < 2; i++)
            replica.Tick();
        Line($"n{id}: heartbeat tick");
        Cycle(id);
    }

    public void Propose(int id, long requestId, string command)
    {
        Line($"client -> n{id}: propose r{requestId} \"{command}\"");
        Node(id).Propose(requestId, Encoding.UTF8.GetBytes(command));
        Cycle(id);
    }

    /// <summary>Delivers queued messages in order until none is left, dropping those <paramref name="drop"/> selects.</summary>
    public void DeliverAll(Func<Message, bool>? drop = null)
    {
        while (inFlight.Count > 0)
        {
            var message = inFlight[0];
            inFlight.RemoveAt(0);
            if (replicas[message.To] is null || replicas[message.From] is null || (drop?.Invoke(message) ?? false))
            {
                Line($"  drop    n{message.From} -> n{message.To} {Format(message)}");
                continue;
            }
            Line($"  deliver n{message.From} -> n{message.To} {Format(message)}");
            replicas[message.To]!.Step(message);
            Cycle(message.To);
        }
    }

    public void Crash(int id)
    {
        replicas[id] = null;
        Line($"n{id}: CRASH (keeps only its disk: promised {disks[id].Promised}, {disks[id].Accepted.Count} accepted)");
    }

    private Replica New(int id, DurableState? state) => new(new ReplicaOptions
    {
        NodeId = id,
        InitialConfiguration = initial,
        Alpha = alpha,
        HeartbeatTicks = 2,
        ElectionTicks = 10,
        MaxCommandsPerSlot = commandsPerSlot ?? DefaultCommandsPerSlot,
    }, new Random(id), state);

    private void Cycle(int id)
    {
        var replica = replicas[id];
        while (replica is not null && replica.HasReady)
        {
            var ready = replica.GetReady();
            var disk = disks[id];
            if (ready.Promised is { } promised)
            {
                disks[id] = disk = (promised, disk.Accepted);
                Line($"  n{id} persist promised {promised}");
            }
            foreach (var entry in ready.Accepted)
            {
                disk.Accepted[entry.Slot] = entry;
                Line($"  n{id} persist accepted slot {entry.Slot} {entry.Ballot} {Format(entry.Value)}");
            }
            foreach (var message in ready.Messages)
                inFlight.Add(message);
            foreach (var slot in ready.Decided)
                Apply(id, replica, slot);
            foreach (var grant in ready.ReadGrants)
                Line($"  n{id} read {grant.ReadId} granted at index {grant.Index}");
            replica.Advance();
        }
    }

    private void Apply(int id, Replica replica, DecidedSlot slot)
    {
        Line($"  n{id} DECIDED slot {slot.Slot} = {Format(slot.Value)}");
        appliedSlots[id] = slot.Slot;
        var configuration = applied[id];
        foreach (var command in slot.Value.Commands)
        {
            var text = Encoding.UTF8.GetString(command.Payload.Span);
            var parts = text.Split(' ');
            if (parts.Length != 2 || !int.TryParse(parts[1], out var node))
                continue;
            var voters = configuration.Voters.ToList();
            var learners = configuration.Learners.ToList();
            if (parts[0] == "add-voter")
            {
                learners.Remove(node);
                voters.Add(node);
            }
            else if (parts[0] == "remove-voter")
            {
                voters.Remove(node);
                learners.Add(node);
            }
            configuration = new Configuration(voters, learners);
        }
        if (!ReferenceEquals(configuration, applied[id]))
        {
            applied[id] = configuration;
            replica.ReportConfiguration(slot.Slot, configuration);
            Line($"  n{id} configuration after slot {slot.Slot}: {configuration}, governs slot {slot.Slot + alpha} on");
        }
    }

    private static string Format(SlotValue value) =>
        value.IsNoOp ? "no-op" :
        "[" + string.Join(", ", value.Commands.Select(c => $"r{c.RequestId} \"{Encoding.UTF8.GetString(c.Payload.Span)}\"")) + "]";

    private static string Format(Message message) => message switch
    {
        Prepare m => $"Prepare {m.Ballot} from slot {m.FirstSlot}" +
            (m.Holding.Length == 0 ? "" : $" holding {{{string.Join("; ", m.Holding.Select(h => $"slots {h.FirstSlot}-{h.LastSlot} {h.Ballot}"))}}}"),
        Promise m => $"Promise {m.Ballot} accepted {{{string.Join("; ", m.Accepted.Select(e => $"slot {e.Slot} {e.Ballot} {Format(e.Value)}"))}}}" +
                     (m.Decided.Length == 0 ? "" : $" decided {{{string.Join("; ", m.Decided.Select(d => $"slot {d.Slot}"))}}}"),
        Rejected m => $"Rejected {m.Ballot}, promised {m.Promised}",
        Accept m => $"Accept {m.Ballot} slot {m.Slot} {Format(m.Value)} commit {m.Commit}",
        Accepted m => $"Accepted {m.Ballot} slot {m.Slot}",
        Heartbeat m => $"Heartbeat {m.Ballot} commit {m.Commit}",
        HeartbeatAck m => $"HeartbeatAck {m.Ballot} commit {m.Commit}",
        FetchDecided m => $"FetchDecided slots {m.FirstSlot}..{m.LastSlot}",
        DecidedValues m => $"DecidedValues from slot {m.FirstSlot}: {string.Join("; ", m.Values.Select(Format))}",
        _ => message.GetType().Name,
    };

    private void Line(string text) => transcript.Append(text).Append('\n');
}
