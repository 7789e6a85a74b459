using System.Collections.Concurrent;
using System.Threading.Channels;
using Doozer.Consensus;
using Doozer.Consensus.Messages;
using Doozer.Server.Hosting;
using Doozer.Server.Peers;
using Doozer.Store.Commands;
using Doozer.Store.Tree;
using StoreCommand = Doozer.Store.Commands.Command;

namespace Doozer.Server.Replication;

/// <summary>
/// The node driver: one loop owns the Multi-Paxos replica, the write-ahead log, the sends, the ticks and the apply
/// (ARCHITECTURE.md 2 and 3). Each turn it feeds the replica what arrived (peer messages, proposals, read requests,
/// at most one tick), then runs the replica's cycles in the order of duties of <see cref="Ready"/>: persist (fsync),
/// send, apply in slot order, serve reads, advance. Everything the API needs goes through <see cref="IReplicatedLog"/>.
/// </summary>
/// <remarks>
/// Only the loop touches the replica, the applied-request table and the pending maps. Other threads talk to it
/// through <see cref="_inbox"/> and read the few volatile fields it publishes (leader, readiness).
/// Snapshots are cut from the immutable store view on a background task, so a large tree never stalls the loop.
/// </remarks>
public sealed partial class ClusterLog : BackgroundService, IReplicatedLog, IPeerSnapshotSource
{
    private readonly AppliedTree _tree;
    private readonly NodeIdentity _self;
    private readonly IReplicaStorage _storage;
    private readonly PeerChannel _peers;
    private readonly IStartingPointSource _start;
    private readonly ClusterLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterLog> _logger;
    private readonly int _selfId;

    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<StartingPoint> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, long> _lastHeard = new();

    // Request ids: a random start per process, so ids of a restarted node never meet the ones it used before.
    private long _nextRequestId = Random.Shared.NextInt64(1, long.MaxValue / 2);

    // Loop-owned state.
    private Replica _replica = null!;
    private AppliedRequests _requests = new();
    private readonly Dictionary<long, Proposal> _proposals = [];
    private readonly Dictionary<long, ReadRequest> _reads = [];
    private readonly List<ReadRequest> _grantedReads = [];
    private ClusterMembers _members = ClusterMembers.Empty;
    private long _appliedSlot;
    private long _slotsApplied;
    private long _leaderChanges;
    private long _tickCount;
    private long _bytesSinceSnapshot;
    private long _slotsSinceSnapshot;
    private bool _snapshotRunning;
    private bool _snapshotFetching;
    private int _lastLeader = -1;
    private Role _lastRole = Role.Follower;
    private bool _peersChanged;

    // Published by the loop for other threads.
    private volatile string? _leaderId;
    private volatile bool _ready;
    private volatile ClusterMembers _publishedMembers = ClusterMembers.Empty;
    private volatile ConfigurationChange[] _publishedConfigurations = [];

    public ClusterLog(AppliedTree tree, NodeIdentity self, IReplicaStorage storage, PeerChannel peers, IStartingPointSource start,
        ClusterLogOptions options, TimeProvider time, ILogger<ClusterLog> logger)
    {
        _tree = tree;
        _self = self;
        _storage = storage;
        _peers = peers;
        _start = start;
        _options = options;
        _time = time;
        _logger = logger;
        _selfId = NodeIds.ToConsensusId(self.Id);
    }

    /// <summary>Completes once the log has its starting point and runs; tells whether this node creates a new cluster.</summary>
    public Task<StartingPoint> Started => _started.Task;

    public bool IsReady => _ready;

    public string? LeaderId => _leaderId;

    /// <summary>The membership as of the last applied slot that changed it.</summary>
    public ClusterMembers Members => _publishedMembers;

    /// <summary>The configuration history of the consensus core (what a joining node starts from).</summary>
    public IReadOnlyList<ConfigurationChange> Configurations => _publishedConfigurations;

    /// <summary>The tree as applied now.</summary>
    public StoreView CurrentView => _tree.Store.Current;

    public bool IsLeader => _leaderId is { } leader && leader == _self.Id;

    /// <summary>Slots applied since the process started, no-ops included (the slots a snapshot covers are not).</summary>
    public long SlotsApplied => Interlocked.Read(ref _slotsApplied);

    /// <summary>How often the leader this node knows has changed since the process started.</summary>
    public long LeaderChanges => Interlocked.Read(ref _leaderChanges);

    /// <summary>When this node last received a message from each peer (TimeProvider timestamps).</summary>
    public IReadOnlyDictionary<int, long> LastHeard => _lastHeard;

    public ValueTask<ApplyResult> ProposeAsync(StoreCommand command, CancellationToken cancellationToken)
    {
        var proposal = new Proposal(Interlocked.Increment(ref _nextRequestId), CommandCodec.Encode(command), _time.GetTimestamp());
        if (!_inbox.Writer.TryWrite(proposal))
            throw new InvalidOperationException("The log is stopped.");
        // Cancelling only stops the caller from waiting: the command may still be decided and applied.
        return new ValueTask<ApplyResult>(proposal.Result.Task.WaitAsync(cancellationToken));
    }

    public ValueTask ReadBarrierAsync(CancellationToken cancellationToken)
    {
        var read = new ReadRequest(Interlocked.Increment(ref _nextRequestId), _time.GetTimestamp());
        if (!_inbox.Writer.TryWrite(read))
            throw new InvalidOperationException("The log is stopped.");
        return new ValueTask(read.Done.Task.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// A peer's download: a snapshot of the state applied now (at or above <paramref name="slot"/>, which this node
    /// advertised), captured by the loop and written as it is sent. No snapshot is kept in memory between downloads.
    /// </summary>
    public async ValueTask<Stream?> OpenSnapshotAsync(long slot, CancellationToken cancellationToken)
    {
        var wanted = new SnapshotWanted(slot);
        if (!_inbox.Writer.TryWrite(wanted))
            return null;
        var snapshot = await wanted.Result.Task.WaitAsync(cancellationToken);
        return snapshot?.OpenRead();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            _started.TrySetResult(await BeginAsync(await _start.GetAsync(stoppingToken), stoppingToken));
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _started.TrySetCanceled(stoppingToken);
        }
        catch (Exception e)
        {
            // A failed fsync, a corrupt record, a bug in apply: the node must not go on with state it cannot trust.
            LogDriverFailed(e);
            _started.TrySetException(e);
            throw;
        }
        finally
        {
            _ready = false;
            _leaderId = null;
            _inbox.Writer.TryComplete();
            var stopped = new NoQuorumException("The node is stopping.", outcomeUnknown: true);
            foreach (var proposal in _proposals.Values)
                proposal.Result.TrySetException(stopped);
            foreach (var read in _reads.Values)
                read.Done.TrySetException(stopped);
            while (_inbox.Reader.TryRead(out var left))
            {
                (left as Proposal)?.Result.TrySetException(stopped);
                (left as ReadRequest)?.Done.TrySetException(stopped);
                (left as SnapshotWanted)?.Result.TrySetResult(null);
            }
        }
    }

    /// <summary>
    /// Sets the node up from its starting point. Returns it without the recovered state: that is in the tree and the
    /// replica now, and <see cref="Started"/> keeps its result for the life of the process (after a restart holding a
    /// million files the snapshot's bytes alone were ~75 MB).
    /// </summary>
    private async Task<StartingPoint> BeginAsync(StartingPoint start, CancellationToken cancellationToken)
    {
        var options = new ReplicaOptions
        {
            NodeId = _selfId,
            InitialConfiguration = start.Configurations.Count > 0 ? start.Configurations[0].Configuration : new Configuration([_selfId]),
            Alpha = _options.Alpha,
            HeartbeatTicks = _options.HeartbeatTicks,
            ElectionTicks = _options.ElectionTicks,
        };
        var seed = Random.Shared.Next();
        if (start.Recovered is { } recovered)
        {
            if (recovered.Snapshot is { } snapshot)
            {
                _tree.Install(TreeStore.FromSnapshot(snapshot.Store.Span, _tree.Store.HistoryLimit));
                _requests = AppliedRequests.FromBytes(snapshot.Requests.Span);
                _appliedSlot = snapshot.Slot;
            }
            _replica = new Replica(options, new Random(seed), recovered.State);
            foreach (var (id, url) in recovered.Peers)
            {
                if (id != _selfId)
                    _peers.Connect(id, url);
            }
            LogRecovered(recovered.State.SnapshotSlot, recovered.State.Accepted.Count, recovered.State.Promised.ToString());
        }
        else
        {
            await _storage.PersistConfigurationsAsync(start.Configurations, cancellationToken);
            _replica = new Replica(options, new Random(seed), new DurableState(Ballot.Zero, [], 0, start.Configurations));
        }
        foreach (var (id, url) in start.Peers)
        {
            if (id != _selfId)
                _peers.Connect(id, url);
        }
        UpdateMembers(ClusterMembers.Read(_tree.Store.Current));
        _tree.Publish();
        // A lone voter has nobody to wait for: let it stand for election at once instead of after a timeout.
        if (_replica.LatestConfiguration.Voters is [var only] && only == _selfId)
        {
            for (var i = 0; i < 2 * _options.ElectionTicks; i++)
                _replica.Tick();
        }
        return start with { Recovered = null };
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var received = _peers.Received;
        var inbox = _inbox.Reader;
        var nextTick = _time.GetTimestamp() + TicksOf(_options.Tick);
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            // Messages first: a heartbeat waiting in the queue must count before time moves on.
            var heardAt = _time.GetTimestamp();
            for (var n = 0; n < 4096 && received.TryRead(out var message); n++)
            {
                _lastHeard[message.From] = heardAt;
                _replica.Step(message);
                worked = true;
            }
            for (var n = 0; n < 4096 && inbox.TryRead(out var input); n++)
            {
                Accept(input);
                worked = true;
            }
            var now = _time.GetTimestamp();
            if (now >= nextTick)
            {
                // At most one tick per turn: after a stall (a slow fsync, a pause), time resumes rather than jumping
                // past every election timeout at once.
                nextTick = now + TicksOf(_options.Tick);
                _tickCount++;
                _replica.Tick();
                OnTick(now);
                worked = true;
            }
            for (var cycles = 0; cycles < 8 && _replica.HasReady; cycles++)
            {
                await RunCycleAsync(stoppingToken);
                worked = true;
            }
            Publish();
            if (!worked)
                await WaitForWorkAsync(received, inbox, nextTick, stoppingToken);
        }
    }

    // Waits that outlive a turn: cancelling a channel wait throws inside it (a first-chance exception per idle turn,
    // measured at ~1.2 per write), so the loop keeps its waits until they complete instead of cancelling them.
    private Task<bool>? _receivedWait;
    private Task<bool>? _inboxWait;
    private Task? _stopping;

    private async Task WaitForWorkAsync(ChannelReader<Message> received, ChannelReader<object> inbox, long nextTick, CancellationToken stoppingToken)
    {
        var delay = _time.GetElapsedTime(_time.GetTimestamp(), nextTick);
        if (delay <= TimeSpan.Zero)
            return;
        _stopping ??= Task.Delay(Timeout.Infinite, stoppingToken);
        _receivedWait ??= received.WaitToReadAsync().AsTask();
        _inboxWait ??= inbox.WaitToReadAsync().AsTask();
        await Task.WhenAny(_receivedWait, _inboxWait, _stopping, Task.Delay(delay, _time));
        if (_receivedWait.IsCompleted)
            _receivedWait = null;
        if (_inboxWait.IsCompleted)
            _inboxWait = null;
        stoppingToken.ThrowIfCancellationRequested();
    }

    private void Accept(object input)
    {
        switch (input)
        {
            case Proposal proposal:
                _proposals[proposal.RequestId] = proposal;
                proposal.RecordedAtStart = _requests.Recorded;
                TryPropose(proposal);
                break;
            case ReadRequest read:
                _reads[read.ReadId] = read;
                read.LastAttemptTick = _tickCount;
                _replica.RequestRead(read.ReadId);
                break;
            case SnapshotFetched fetched:
                _snapshotFetching = false;
                InstallSnapshot(fetched.Snapshot);
                break;
            case SnapshotSaved saved:
                _snapshotRunning = false;
                _replica.Compact(Math.Min(saved.Slot, _replica.Applied));
                LogSnapshotSaved(saved.Slot, _tree.Rev);
                break;
            case SnapshotWanted wanted:
                // Between cycles the tree, the table and the acceptor are all at _appliedSlot.
                wanted.Result.TrySetResult(_appliedSlot >= wanted.Slot ? CaptureSnapshot().ForPeer() : null);
                break;
            case BackgroundFailed failed:
                _snapshotRunning = false;
                _snapshotFetching = false;
                LogBackgroundFailed(failed.What, failed.Error);
                break;
        }
    }

    private void TryPropose(Proposal proposal)
    {
        proposal.LastAttemptTick = _tickCount;
        proposal.LeaderAtAttempt = _replica.LeaderId;
        if (_replica.Propose(proposal.RequestId, proposal.Payload))
            proposal.Handed = true;
    }

    private async Task RunCycleAsync(CancellationToken stoppingToken)
    {
        var ready = _replica.GetReady();
        // 1. Persist (fsync) before anything that depends on it leaves this node.
        var peers = _peersChanged ? PeerAddresses() : null;
        _peersChanged = false;
        await _storage.PersistAsync(ready, peers, stoppingToken);
        // 2. Send. Never blocks: a slow peer's queue drops its oldest messages and the protocol catches it up.
        foreach (var message in ready.Messages)
            _peers.Send(message);
        // 3. Apply in slot order.
        var applied = false;
        foreach (var slot in ready.Decided)
        {
            ApplySlot(slot.Slot, slot.Value);
            applied = true;
        }
        // 4. Reads granted at an index; served once it is applied.
        foreach (var grant in ready.ReadGrants)
        {
            if (_reads.Remove(grant.ReadId, out var read))
            {
                read.Index = grant.Index;
                _grantedReads.Add(read);
            }
        }
        if (ready.InstallSnapshot is { } request)
            FetchSnapshot(request);
        // 5. Advance.
        _replica.Advance();
        if (applied)
            _tree.Publish();
        ServeGrantedReads();
        if (applied)
            MaybeSnapshot();
    }

    private void ApplySlot(long slot, SlotValue value)
    {
        var touchesControl = false;
        foreach (var command in value.Commands)
        {
            ApplyResult result;
            if (command.RequestId != 0 && _requests.TryGet(command.RequestId, out var earlier))
            {
                // A retry of a request that is already applied: same answer, no second effect.
                result = earlier.ToResult();
            }
            else
            {
                StoreCommand decoded;
                try
                {
                    decoded = CommandCodec.Decode(command.Payload.Span);
                }
                catch (FormatException e)
                {
                    // Every node decodes the same bytes the same way, so skipping keeps the replicas identical.
                    LogUndecodable(slot, command.RequestId, e);
                    if (_proposals.Remove(command.RequestId, out var broken))
                        broken.Result.TrySetException(e);
                    continue;
                }
                result = _tree.Apply(decoded);
                _bytesSinceSnapshot += command.Payload.Length;
                if (command.RequestId != 0)
                    _requests.Record(command.RequestId, RequestOutcome.Of(result));
                foreach (var change in result.Changes)
                    touchesControl |= IsControl(change.Path);
            }
            if (_proposals.Remove(command.RequestId, out var proposal))
                proposal.Result.TrySetResult(result);
        }
        _appliedSlot = slot;
        Interlocked.Increment(ref _slotsApplied);
        _slotsSinceSnapshot++;
        if (touchesControl)
        {
            var members = ClusterMembers.Read(_tree.Store.Current);
            if (members.ToConfiguration() is { } configuration)
                _replica.ReportConfiguration(slot, configuration);
            else if (members.VacantSlots.Count > 0)
                LogNoVoters(slot);
            UpdateMembers(members);
        }
    }

    private static bool IsControl(string path) =>
        path.StartsWith("/ctl/", StringComparison.Ordinal) || path == "/ctl";

    private void UpdateMembers(ClusterMembers members)
    {
        var before = _members;
        _members = members;
        _publishedMembers = members;
        _peersChanged |= !PeerAddressesOf(before).SequenceEqual(PeerAddressesOf(members));
        foreach (var member in members.Members)
        {
            if (member.ConsensusId == _selfId || member.PeerUrl.Length == 0)
                continue;
            if (Uri.TryCreate(member.PeerUrl, UriKind.Absolute, out var url))
                _peers.Connect(member.ConsensusId, url);
        }
        foreach (var old in before.Members)
        {
            if (members.Find(old.ConsensusId) is null && old.ConsensusId != _selfId)
                _ = _peers.DisconnectAsync(old.ConsensusId).AsTask();
        }
    }

    private KeyValuePair<int, Uri>[] PeerAddresses() => PeerAddressesOf(_members);

    private KeyValuePair<int, Uri>[] PeerAddressesOf(ClusterMembers members) =>
    [
        .. members.Members
            .Where(m => m.ConsensusId != _selfId && Uri.TryCreate(m.PeerUrl, UriKind.Absolute, out _))
            .Select(m => KeyValuePair.Create(m.ConsensusId, new Uri(m.PeerUrl))),
    ];

    private void ServeGrantedReads()
    {
        if (_grantedReads.Count == 0)
            return;
        // Compacts in place, so an index loop: writing to the list would invalidate a foreach's enumerator.
        var kept = 0;
        for (var i = 0; i < _grantedReads.Count; i++)
        {
            var read = _grantedReads[i];
            if (read.Index <= _appliedSlot)
                read.Done.TrySetResult();
            else
                _grantedReads[kept++] = read;
        }
        _grantedReads.RemoveRange(kept, _grantedReads.Count - kept);
    }

    private void OnTick(long now)
    {
        var leader = _replica.LeaderId;
        var leaderChanged = leader != _lastLeader;
        _lastLeader = leader;
        if (leaderChanged)
            Interlocked.Increment(ref _leaderChanges);
        // Elections are rare and decide everything after them: each change of role or leader is worth a line, so an
        // operator (or a failed cluster test) can line up who led when.
        var role = _replica.Role;
        if (leaderChanged || role != _lastRole)
            LogLeadership(role, leader, _replica.CurrentBallot.ToString(), _replica.Promised.ToString());
        _lastRole = role;
        List<long>? expired = null;
        foreach (var proposal in _proposals.Values)
        {
            var age = _time.GetElapsedTime(proposal.Arrived, now);
            if (age >= _options.RequestTimeout || !proposal.Handed && age >= _options.NoLeaderTimeout)
            {
                (expired ??= []).Add(proposal.RequestId);
                continue;
            }
            // Retry (same request id, so it applies at most once) while the applied-request table still remembers it.
            var retryable = _requests.Recorded - proposal.RecordedAtStart < AppliedRequests.Capacity / 2;
            if (retryable && (!proposal.Handed || leaderChanged && proposal.LeaderAtAttempt != leader ||
                              _tickCount - proposal.LastAttemptTick >= _options.RetryTicks))
                TryPropose(proposal);
        }
        foreach (var id in expired ?? [])
        {
            _proposals.Remove(id, out var proposal);
            proposal!.Result.TrySetException(proposal.Handed
                ? new NoQuorumException("The write was handed to a leader but not decided in time; it may still commit.", outcomeUnknown: true)
                : new NoQuorumException("No leader is reachable: the write was not applied.", outcomeUnknown: false));
        }
        expired = null;
        foreach (var read in _reads.Values)
        {
            if (_time.GetElapsedTime(read.Arrived, now) >= _options.RequestTimeout)
            {
                (expired ??= []).Add(read.ReadId);
            }
            else if (leaderChanged || _tickCount - read.LastAttemptTick >= _options.RetryTicks)
            {
                read.LastAttemptTick = _tickCount;
                _replica.RequestRead(read.ReadId);
            }
        }
        foreach (var id in expired ?? [])
        {
            _reads.Remove(id, out var read);
            read!.Done.TrySetException(new NoQuorumException("No leader confirmed a read index in time.", outcomeUnknown: false));
        }
        for (var i = _grantedReads.Count - 1; i >= 0; i--)
        {
            if (_time.GetElapsedTime(_grantedReads[i].Arrived, now) >= _options.RequestTimeout)
            {
                _grantedReads[i].Done.TrySetException(new NoQuorumException("This node did not catch up with the read index in time.", outcomeUnknown: false));
                _grantedReads.RemoveAt(i);
            }
        }
    }

    private void Publish()
    {
        var configurations = _replica.Configurations;
        var published = _publishedConfigurations;
        if (configurations.Count != published.Length || configurations.Count > 0 && !ReferenceEquals(configurations[^1], published[^1]))
            _publishedConfigurations = [.. configurations];
        var leader = _replica.LeaderId;
        _leaderId = leader < 0 ? null : leader == _selfId ? _self.Id : _members.Find(leader)?.Id;
        _ready = leader >= 0 && _replica.Applied >= _replica.KnownCommit && _members.Find(_self.Id) is not null && !_snapshotFetching;
    }

    // --- Snapshots ---

    private void MaybeSnapshot()
    {
        if (_snapshotRunning || _bytesSinceSnapshot < _options.SnapshotBytes && _slotsSinceSnapshot < _options.SnapshotSlots)
            return;
        _snapshotRunning = true;
        _bytesSinceSnapshot = 0;
        _slotsSinceSnapshot = 0;
        // Captured together, outside a cycle: the acceptor's state, the request table and the tree at one slot, and the
        // log position every persisted record of it is at or below.
        var snapshot = CaptureSnapshot();
        var position = _storage.Position;
        _ = Task.Run(async () =>
        {
            try
            {
                await _storage.SaveSnapshotAsync(snapshot, position, CancellationToken.None);
                _inbox.Writer.TryWrite(new SnapshotSaved(snapshot.Slot));
            }
            catch (Exception e)
            {
                _inbox.Writer.TryWrite(new BackgroundFailed("saving a snapshot", e));
            }
        });
    }

    private NodeSnapshotWriter CaptureSnapshot() =>
        new(_replica.CaptureDurableState(), _requests.ToBytes(), _tree.Store.Current);

    private void FetchSnapshot(SnapshotRequest request)
    {
        if (_snapshotFetching || !_peers.TryGetLink(request.From, out var link))
            return;
        _snapshotFetching = true;
        LogFetchingSnapshot(request.Slot, request.From);
        _ = Task.Run(async () =>
        {
            try
            {
                await using var stream = await link.OpenSnapshotAsync(request.Slot, CancellationToken.None)
                    ?? throw new InvalidOperationException($"node {request.From} no longer holds a snapshot of slot {request.Slot}");
                var snapshot = await NodeSnapshot.ReadAsync(stream, CancellationToken.None);
                _inbox.Writer.TryWrite(new SnapshotFetched(snapshot));
            }
            catch (Exception e)
            {
                _inbox.Writer.TryWrite(new BackgroundFailed("fetching a snapshot", e));
            }
        });
    }

    private void InstallSnapshot(NodeSnapshot snapshot)
    {
        if (snapshot.Slot <= _appliedSlot)
            return;
        _tree.Install(TreeStore.FromSnapshot(snapshot.Store.Span, _tree.Store.HistoryLimit));
        _requests = AppliedRequests.FromBytes(snapshot.Requests.Span);
        _replica.InstallSnapshot(snapshot.Slot, snapshot.State.Configurations);
        _appliedSlot = snapshot.Slot;
        // Proposals the snapshot already holds get their recorded answers.
        foreach (var id in _proposals.Keys.ToList())
        {
            if (_requests.TryGet(id, out var outcome) && _proposals.Remove(id, out var proposal))
                proposal.Result.TrySetResult(outcome.ToResult());
        }
        UpdateMembers(ClusterMembers.Read(_tree.Store.Current));
        _tree.Publish();
        LogInstalledSnapshot(snapshot.Slot, _tree.Rev);
        // Keep it, with our own votes, so a restart does not fetch it again.
        _bytesSinceSnapshot = _options.SnapshotBytes;
        MaybeSnapshot();
    }

    private static long TicksOf(TimeSpan span) => (long)(span.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    // --- Loop inputs ---

    private sealed class Proposal(long requestId, byte[] payload, long arrived)
    {
        public long RequestId { get; } = requestId;
        public byte[] Payload { get; } = payload;
        public long Arrived { get; } = arrived;
        public TaskCompletionSource<ApplyResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Handed { get; set; }
        public long LastAttemptTick { get; set; }
        public int LeaderAtAttempt { get; set; }
        public long RecordedAtStart { get; set; }
    }

    private sealed class ReadRequest(long readId, long arrived)
    {
        public long ReadId { get; } = readId;
        public long Arrived { get; } = arrived;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long LastAttemptTick { get; set; }
        public long Index { get; set; }
    }

    private sealed record SnapshotFetched(NodeSnapshot Snapshot);

    private sealed record SnapshotSaved(long Slot);

    private sealed record SnapshotWanted(long Slot)
    {
        public TaskCompletionSource<NodeSnapshotWriter?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record BackgroundFailed(string What, Exception Error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The node driver failed; the node stops serving")]
    private partial void LogDriverFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered from disk: snapshot at slot {Slot}, {Accepted} acceptances above it, promised {Promised}")]
    private partial void LogRecovered(long slot, int accepted, string promised);

    [LoggerMessage(Level = LogLevel.Error, Message = "Slot {Slot} holds a command (request {RequestId}) that does not decode; every node skips it")]
    private partial void LogUndecodable(long slot, long requestId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "After slot {Slot} no voter slot names a registered node; the previous voters stay in force")]
    private partial void LogNoVoters(long slot);

    [LoggerMessage(Level = LogLevel.Information, Message = "Snapshot saved at slot {Slot} (rev {Rev}); the log before it is truncated")]
    private partial void LogSnapshotSaved(long slot, long rev);

    [LoggerMessage(Level = LogLevel.Information, Message = "Too far behind: fetching the snapshot of slot {Slot} from node {From}")]
    private partial void LogFetchingSnapshot(long slot, int from);

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed a snapshot at slot {Slot} (rev {Rev})")]
    private partial void LogInstalledSnapshot(long slot, long rev);

    [LoggerMessage(Level = LogLevel.Information, Message = "Now {Role}; leader {Leader} (-1: none known); own ballot {Ballot}, promised {Promised}")]
    private partial void LogLeadership(Role role, int leader, string ballot, string promised);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed {What}; will retry")]
    private partial void LogBackgroundFailed(string what, Exception exception);
}
