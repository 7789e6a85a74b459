using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Etcd;
using Doozer.TestKit.Linearizability.Kv;

namespace Doozer.TestKit.Tests.Linearizability;

public sealed class CheckerLimitsTests
{
    [Theory]
    [InlineData("c50-ok.txt", true)]
    [InlineData("c50-bad.txt", true)]
    [InlineData("c50-ok.txt", false)]
    [InlineData("c50-bad.txt", false)]
    public void Tiny_time_limit_on_a_hard_history_gives_unknown_not_a_verdict(string file, bool splitIndependent)
    {
        var history = KvLog.Parse(PorcupineCorpus.Kv(file));

        var outcome = LinearizabilityChecker.Check(
            KvModel.For(history, partitionPerKey: false), history, new CheckOptions { TimeLimit = TimeSpan.FromTicks(1), SplitIndependent = splitIndependent });

        Assert.Equal(CheckResult.Unknown, outcome.Result);
    }

    [Theory]
    [InlineData("c50-ok.txt")]
    [InlineData("c50-bad.txt")]
    public void One_search_over_all_keys_of_a_50_client_history_blows_up(string file)
    {
        // Why the checker splits a partition into independent groups: without it, the ten keys' orders multiply.
        var history = KvLog.Parse(PorcupineCorpus.Kv(file));

        var outcome = LinearizabilityChecker.Check(
            KvModel.For(history, partitionPerKey: false), history, new CheckOptions { StepBudget = 200_000, SplitIndependent = false });

        Assert.Equal(CheckResult.Unknown, outcome.Result);
    }

    [Fact]
    public void Exhausted_step_budget_gives_unknown()
    {
        var history = KvLog.Parse(PorcupineCorpus.Kv("c10-ok.txt"));

        var limited = LinearizabilityChecker.Check(KvModel.For(history, partitionPerKey: false), history, new CheckOptions { StepBudget = 2000, SplitIndependent = false });
        var unlimited = LinearizabilityChecker.Check(KvModel.For(history, partitionPerKey: false), history);

        Assert.Equal(CheckResult.Unknown, limited.Result);
        Assert.Equal(CheckResult.Ok, unlimited.Result);
    }

    [Fact]
    public void Illegal_history_reports_the_longest_linearizable_prefix()
    {
        // write 1, then a read of 2 that nothing explains.
        Operation<EtcdInput, EtcdOutput>[] history =
        [
            new(0, EtcdInput.Write(1), 0, EtcdOutput.Written, 1),
            new(1, EtcdInput.Read(), 2, EtcdOutput.Read(1), 3),
            new(1, EtcdInput.Read(), 4, EtcdOutput.Read(2), 5),
        ];

        var outcome = LinearizabilityChecker.Check(EtcdRegisterModel.Instance, history);

        Assert.Equal(CheckResult.Illegal, outcome.Result);
        var partition = Assert.Single(outcome.Partitions);
        Assert.Equal([history[0], history[1]], partition.LongestPrefix);
        Assert.Equal(history[2], partition.Blocked);
        Assert.Equal("1", partition.StateAfterPrefix);
    }

    [Fact]
    public void Empty_history_is_linearizable()
    {
        var outcome = LinearizabilityChecker.Check(EtcdRegisterModel.Instance, []);

        Assert.Equal(CheckResult.Ok, outcome.Result);
    }

    [Fact]
    public void Timed_out_compare_and_set_may_or_may_not_have_swapped()
    {
        Operation<EtcdInput, EtcdOutput>[] swapped =
        [
            new(0, EtcdInput.Write(1), 0, EtcdOutput.Written, 1),
            new(1, EtcdInput.CompareAndSet(1, 2), 2, EtcdOutput.TimedOut, Operation<EtcdInput, EtcdOutput>.NeverReturned),
            new(2, EtcdInput.Read(), 3, EtcdOutput.Read(2), 4),
        ];
        Operation<EtcdInput, EtcdOutput> notYet = new(2, EtcdInput.Read(), 3, EtcdOutput.Read(1), 4);

        Assert.Equal(CheckResult.Ok, LinearizabilityChecker.Check(EtcdRegisterModel.Instance, swapped).Result);
        Assert.Equal(CheckResult.Ok, LinearizabilityChecker.Check(EtcdRegisterModel.Instance, [swapped[0], swapped[1], notYet]).Result);
        Assert.Equal(CheckResult.Illegal, LinearizabilityChecker.Check(EtcdRegisterModel.Instance, [swapped[0], swapped[2]]).Result);
    }
}
