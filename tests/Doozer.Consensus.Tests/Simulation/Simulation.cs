using Doozer.Consensus.Messages;

namespace Doozer.Consensus.Tests.Simulation;

/// <summary>
/// Deterministic simulation of a cluster of real <see cref="Replica"/>s on one thread. Everything random comes from
/// one seeded generator, events are ordered by (time, sequence), so a seed replays exactly. Invariants are checked
/// as the events that could break them happen, i.e. after every step.
/// </summary>
internal sealed partial class Simulation
{
    public const int TickUnits = 10;

    private readonly int seed;
    private readonly Random random;
    private readonly FaultMix mix;
    private readonly PlantedBug bug;
    private readonly long faultSteps;
    private readonly long livenessUnits;
    private readonly SimNode[] nodes;
    private readonly Configuration initial;
    private readonly PriorityQueue<SimEvent, (long Time, long Sequence)> queue = new();
    private readonly bool[,] blocked;
    private readonly List<string> violations = [];
    private long now;
    private long sequence;
    private long steps;
    private bool faultsOn = true;
    private long livenessDeadline;
    private readonly SimulationCounters counters = new();

    private Simulation(int seed, PlantedBug bug, long faultSteps, long livenessUnits)
    {
        this.seed = seed;
        this.bug = bug;
        this.faultSteps = faultSteps;
        this.livenessUnits = livenessUnits;
        random = new Random(seed);
        mix = FaultMix.Draw(random);
        var count = mix.Voters + mix.Learners;
        initial = new Configuration(Enumerable.Range(1, mix.Voters), Enumerable.Range(mix.Voters + 1, mix.Learners));
        nodes = new SimNode[count + 1];
        blocked = new bool[count + 1, count + 1];
        for (var id = 1; id <= count; id++)
        {
            nodes[id] = new SimNode(id);
            RebuildApplication(nodes[id], []);
            nodes[id].Replica = NewReplica(nodes[id], null);
        }
    }

    /// <summary>When set, every delivered message is described to it (for debugging one seed).</summary>
    private Action<string>? trace;

    public static SimulationResult Run(
        int seed, PlantedBug bug = PlantedBug.None, long faultSteps = 15000, long livenessUnits = 12000, Action<string>? trace = null)
    {
        var simulation = new Simulation(seed, bug, faultSteps, livenessUnits) { trace = trace };
        simulation.Loop();
        simulation.counters.Elections = simulation.ballotIncarnation.Count;
        return new SimulationResult(seed, simulation.steps, simulation.violations, simulation.mix.ToString(), simulation.maxDecided,
            simulation.globalDecided.Values.Count(v => v.IsNoOp), simulation.counters);
    }

    private IEnumerable<SimNode> All => nodes.Skip(1);

    private void Loop()
    {
        foreach (var node in All)
            Schedule(1 + random.Next(TickUnits), new SimEvent(SimEventKind.Tick, node.Id));
        Schedule(mix.FaultEvery, new SimEvent(SimEventKind.Fault, 0));
        Schedule(mix.ProposeEvery, new SimEvent(SimEventKind.Propose, 0));
        Schedule(mix.ReadEvery, new SimEvent(SimEventKind.Read, 0));
        Schedule(mix.ConfigChangeEvery, new SimEvent(SimEventKind.ConfigChange, 0));
        Schedule(100, new SimEvent(SimEventKind.Retry, 0));

        while (queue.TryDequeue(out var next, out var at))
        {
            now = at.Time;
            steps++;
            Handle(next);
            if (next.Node > 0)
                CheckPromiseMonotonic(nodes[next.Node]);
            if (violations.Count > 0)
                return;
            if (faultsOn && !finalEpisode && steps >= faultSteps * 3 / 4)
                StartFinalEpisode();
            if (faultsOn && steps >= faultSteps)
                StartLivenessPhase();
            if (!faultsOn)
            {
                if (LivenessReached())
                    return;
                if (now > livenessDeadline)
                {
                    Violation($"liveness: {pendingRequests.Count} proposals still pending and applied " +
                              $"[{string.Join(",", All.Select(n => n.IsUp ? n.Applied.ToString() : "down"))}] of {maxDecided} " +
                              $"{livenessUnits / TickUnits} ticks after healing; " +
                              $"state: {string.Join(" / ", All.Select(n => n.Replica?.Describe() ?? "down"))}");
                    return;
                }
            }
        }
    }

    private void Schedule(long delay, SimEvent simEvent) => queue.Enqueue(simEvent, (now + delay, sequence++));

    private void Handle(SimEvent e)
    {
        switch (e.Kind)
        {
            case SimEventKind.Tick:
                OnTick(nodes[e.Node]);
                break;
            case SimEventKind.Deliver:
                OnDeliver(nodes[e.Node], e.Message!);
                break;
            case SimEventKind.ReadyCycle:
                OnReadyCycle(nodes[e.Node]);
                break;
            case SimEventKind.Restart:
                Restart(nodes[e.Node]);
                break;
            case SimEventKind.Fault:
                InjectFault();
                break;
            case SimEventKind.Heal:
                OnHealEvent();
                break;
            case SimEventKind.Propose:
                ClientPropose();
                break;
            case SimEventKind.Retry:
                ClientRetry();
                break;
            case SimEventKind.ConfigChange:
                ClientChangeConfiguration();
                break;
            case SimEventKind.Read:
                ClientRead();
                break;
            case SimEventKind.Isolate:
                if (faultsOn)
                    Isolate(e.Node);
                break;
        }
    }

    private bool IsPaused(SimNode node) => node.PausedUntil > now;

    private void OnTick(SimNode node)
    {
        Schedule(TickUnits, new SimEvent(SimEventKind.Tick, node.Id));
        if (!node.IsUp || IsPaused(node))
            return;
        node.Replica!.Tick();
        ScheduleReady(node);
    }

    private void OnDeliver(SimNode node, Message message)
    {
        // A partition also drops what was already in flight on the cut link.
        if (!node.IsUp || blocked[message.From, message.To])
            return;
        if (IsPaused(node))
        {
            // A paused process does not read its socket; the bytes wait.
            queue.Enqueue(new SimEvent(SimEventKind.Deliver, node.Id, message), (node.PausedUntil + 1 + random.Next(3), sequence++));
            return;
        }
        trace?.Invoke($"t={now} {message}");
        node.Replica!.Step(message);
        ScheduleReady(node);
    }

    private void ScheduleReady(SimNode node)
    {
        if (node.ReadyScheduled)
            return;
        node.ReadyScheduled = true;
        Schedule(1, new SimEvent(SimEventKind.ReadyCycle, node.Id));
    }

    private void OnReadyCycle(SimNode node)
    {
        node.ReadyScheduled = false;
        if (!node.IsUp)
            return;
        if (IsPaused(node))
        {
            node.ReadyScheduled = true;
            queue.Enqueue(new SimEvent(SimEventKind.ReadyCycle, node.Id), (node.PausedUntil + 1, sequence++));
            return;
        }
        var replica = node.Replica!;
        if (!replica.HasReady)
            return;
        var ready = replica.GetReady();

        // 1. Persist.
        if (ready.Promised is { } promisedNow)
        {
            if (promisedNow < node.DurablePromised)
                Violation($"n{node.Id} persisted promise {promisedNow} below its durable {node.DurablePromised}");
            node.DurablePromised = promisedNow;
        }
        foreach (var entry in ready.Accepted)
        {
            node.DurableAccepted[entry.Slot] = entry;
            RecordAcceptance(node.Id, entry);
        }
        // 2. Send.
        foreach (var message in ready.Messages)
        {
            NoteSent(node, message);
            Send(message);
        }
        // 3. Apply.
        foreach (var slot in ready.Decided)
            Apply(node, slot);
        foreach (var grant in ready.ReadGrants)
        {
            counters.ReadsGranted++;
            CheckRead(node, grant);
        }
        var snapshotRequest = ready.InstallSnapshot;
        var busy = node.IsolateAfterNextCycle > 0 && ProposesSeveralSlots(ready);
        replica.Advance();

        if (snapshotRequest is { } request)
            TryInstallSnapshot(node, request);
        MaybeTakeSnapshot(node);
        if (busy)
        {
            Schedule(node.IsolateAfterNextCycle, new SimEvent(SimEventKind.Isolate, node.Id));
            node.IsolateAfterNextCycle = 0;
        }
        if (node.CrashAfterNextCycle)
        {
            node.CrashAfterNextCycle = false;
            Crash(node);
            return;
        }
        if (replica.HasReady)
            ScheduleReady(node);
    }

    private static bool ProposesSeveralSlots(Ready ready)
    {
        long first = -1;
        foreach (var message in ready.Messages)
        {
            if (message is Accept accept)
            {
                if (first < 0)
                    first = accept.Slot;
                else if (accept.Slot != first)
                    return true;
            }
        }
        return false;
    }

    private void Send(Message message)
    {
        if (blocked[message.From, message.To])
            return;
        if (faultsOn && random.NextDouble() < mix.DropRate)
            return;
        Schedule(1 + random.Next(mix.MaxDelay), new SimEvent(SimEventKind.Deliver, message.To, message));
        if (faultsOn && random.NextDouble() < mix.DuplicateRate)
            Schedule(1 + random.Next(mix.MaxDelay), new SimEvent(SimEventKind.Deliver, message.To, message));
    }

    private ReplicaOptions OptionsFor(SimNode node) => new()
    {
        NodeId = node.Id,
        InitialConfiguration = initial,
        Alpha = mix.Alpha,
        HeartbeatTicks = 2,
        ElectionTicks = 10,
        // Small batches so that a run has many slots and many slots in flight.
        MaxCommandsPerSlot = 16,
        MaxFetchSlots = 16,
        PlantedBug = bug,
    };

    private Replica NewReplica(SimNode node, DurableState? durable) =>
        new(OptionsFor(node), new Random(unchecked(seed * 7919 + node.Id * 104729 + node.Incarnation)), durable);

    private void Violation(string what)
    {
        if (violations.Count < 5)
            violations.Add($"step {steps} (t={now}): {what}");
    }
}
