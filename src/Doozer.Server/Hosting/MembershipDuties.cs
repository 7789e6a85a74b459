using System.Text;
using Doozer.Server.Api;
using Doozer.Server.Replication;
using Doozer.Store.Commands;
using Doozer.Store.Tree;
using Microsoft.Extensions.Options;

namespace Doozer.Server.Hosting;

/// <summary>
/// The membership chores of ARCHITECTURE.md 4, as compare-and-set writes through the log like any client's:
/// a caught-up learner claims a vacant voter slot; the leader empties the slot of a voter it has not heard from for
/// <c>--evict-after</c> and removes its registration (the fire drill), so a learner can take its place.
/// </summary>
public sealed partial class MembershipDuties(
    ClusterLog log, NodeIdentity self, IOptions<NodeOptions> options, TimeProvider time, ILogger<MembershipDuties> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await log.Started.WaitAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return;
        }
        long? leaderSince = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Period, time, stoppingToken);
                leaderSince = log.IsLeader ? leaderSince ?? time.GetTimestamp() : null;
                if (!log.IsReady)
                    continue;
                await ClaimSlotAsync(stoppingToken);
                if (leaderSince is { } since && options.Value.EvictAfter > 0)
                    await EvictSilentVotersAsync(since, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NoQuorumException)
            {
                // The cluster is not deciding right now; try again next round.
            }
        }
    }

    private async Task ClaimSlotAsync(CancellationToken cancellationToken)
    {
        var members = log.Members;
        if (members.Find(self.Id) is not { IsVoter: false } || members.VacantSlots.Count == 0)
            return;
        var slot = members.VacantSlots[0];
        var current = log.CurrentView.Get(slot);
        if (current.Status != ReadStatus.Ok || current.Value.Length != 0)
            return;
        // Compare-and-set on the empty slot: when two learners race for it, one wins and the other tries the next.
        var result = await log.ProposeAsync(
            new SetCommand(slot, Encoding.UTF8.GetBytes(self.Id), Precondition.RevIs(current.Rev)) { Origin = CommandOrigin.Cluster },
            cancellationToken);
        if (result.Status == ApplyStatus.Ok)
            LogClaimed(self.Id, slot);
    }

    private async Task EvictSilentVotersAsync(long leaderSince, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        var limit = TimeSpan.FromSeconds(options.Value.EvictAfter);
        foreach (var member in log.Members.Members)
        {
            if (!member.IsVoter || member.Id == self.Id)
                continue;
            var heard = log.LastHeard.TryGetValue(member.ConsensusId, out var at) ? Math.Max(at, leaderSince) : leaderSince;
            if (time.GetElapsedTime(heard, now) < limit)
                continue;
            var slot = log.CurrentView.Get(member.Slot!);
            if (slot.Status != ReadStatus.Ok || Encoding.UTF8.GetString(slot.Value.Span) != member.Id)
                continue;
            var emptied = await log.ProposeAsync(
                new SetCommand(member.Slot!, Array.Empty<byte>(), Precondition.RevIs(slot.Rev)) { Origin = CommandOrigin.Cluster },
                cancellationToken);
            if (emptied.Status != ApplyStatus.Ok)
                continue;
            await log.ProposeAsync(new DeleteTreeCommand($"{ControlPaths.Nodes}/{member.Id}") { Origin = CommandOrigin.Cluster }, cancellationToken);
            LogEvicted(member.Id, member.Name, member.Slot!, limit.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Id} claimed voter slot {Slot}")]
    private partial void LogClaimed(string id, string slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evicted node {Id} ({Name}) from {Slot}: not heard from for {Seconds} s")]
    private partial void LogEvicted(string id, string name, string slot, double seconds);
}
