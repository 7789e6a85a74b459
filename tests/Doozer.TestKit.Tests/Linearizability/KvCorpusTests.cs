using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Kv;

namespace Doozer.TestKit.Tests.Linearizability;

public sealed class KvCorpusTests
{
    public static TheoryData<string, bool, bool> Histories()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var clients in new[] { "c01", "c10", "c50" })
        {
            foreach (var partitioned in new[] { true, false })
            {
                data.Add($"{clients}-ok.txt", true, partitioned);
                data.Add($"{clients}-bad.txt", false, partitioned);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Histories))]
    public void Checker_reproduces_the_expected_verdict(string file, bool linearizable, bool partitionPerKey)
    {
        var history = KvLog.Parse(PorcupineCorpus.Kv(file));
        var model = KvModel.For(history, partitionPerKey);

        var outcome = LinearizabilityChecker.Check(model, history, new CheckOptions { TimeLimit = TimeSpan.FromSeconds(30) });

        Assert.True(
            outcome.Result == (linearizable ? CheckResult.Ok : CheckResult.Illegal),
            $"{file} (partitioned: {partitionPerKey}): expected {(linearizable ? "linearizable" : "not linearizable")}, got {outcome.Describe()}");
        Assert.True(partitionPerKey ? outcome.Partitions.Count > 1 : outcome.Partitions.Count == 1);
        if (!partitionPerKey && linearizable)
        {
            // One partition, but the checker found on its own, from the model's Independent relation, that the keys
            // never interact and searched them apart (a single search over the product of the 50-client histories'
            // ten keys blows up; CheckerLimitsTests shows it).
            Assert.True(Assert.Single(outcome.Partitions).IndependentGroups > 1, outcome.Describe());
        }
    }

    /// <summary>
    /// Where one search over the whole map is feasible (1 and 10 clients), it and the checker's split into groups of
    /// independent operations agree, and both agree with the expected verdict.
    /// </summary>
    [Theory]
    [InlineData("c01-ok.txt", true)]
    [InlineData("c01-bad.txt", false)]
    [InlineData("c10-ok.txt", true)]
    [InlineData("c10-bad.txt", false)]
    public void Split_into_independent_groups_agrees_with_one_search(string file, bool linearizable)
    {
        var history = KvLog.Parse(PorcupineCorpus.Kv(file));
        var expected = linearizable ? CheckResult.Ok : CheckResult.Illegal;

        var split = LinearizabilityChecker.Check(KvModel.For(history, partitionPerKey: false), history, new CheckOptions { TimeLimit = TimeSpan.FromSeconds(30) });
        var whole = LinearizabilityChecker.Check(
            KvModel.For(history, partitionPerKey: false), history, new CheckOptions { TimeLimit = TimeSpan.FromSeconds(30), SplitIndependent = false });

        Assert.True(split.Result == expected, split.Describe());
        Assert.True(whole.Result == expected, whole.Describe());
        Assert.Equal(1, Assert.Single(whole.Partitions).IndependentGroups);
    }

    [Fact]
    public void Parser_reads_gets_puts_and_appends()
    {
        string[] log =
        [
            """{:process 0, :type :invoke, :f :get, :key "5", :value nil}""",
            """{:process 1, :type :invoke, :f :append, :key "5", :value "x 1 0 y"}""",
            """{:process 0, :type :ok, :f :get, :key "5", :value ""}""",
            """{:process 1, :type :ok, :f :append, :key "5", :value "x 1 0 y"}""",
            """{:process 2, :type :invoke, :f :put, :key "4", :value "z"}""",
            """{:process 2, :type :info, :f :put, :key "4", :value "z"}""",
        ];

        var history = KvLog.Parse(log);

        Assert.Equal(3, history.Count);
        Assert.Equal(new Operation<KvInput, KvOutput>(0, new KvInput(KvOperation.Get, "5", ""), 1, KvOutput.Got(""), 3), history[0]);
        Assert.Equal(new Operation<KvInput, KvOutput>(1, new KvInput(KvOperation.Append, "5", "x 1 0 y"), 2, KvOutput.Done, 4), history[1]);
        Assert.True(history[2].OutcomeUnknown);
    }
}
