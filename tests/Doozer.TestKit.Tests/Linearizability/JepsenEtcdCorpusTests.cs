using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Etcd;

namespace Doozer.TestKit.Tests.Linearizability;

public sealed class JepsenEtcdCorpusTests
{
    public static TheoryData<string, bool> Histories()
    {
        var data = new TheoryData<string, bool>();
        foreach (var (file, linearizable) in PorcupineCorpus.JepsenExpected())
        {
            data.Add(file, linearizable);
        }

        return data;
    }

    [Fact]
    public void Expected_verdicts_cover_all_102_histories()
    {
        var expected = PorcupineCorpus.JepsenExpected().ToList();

        Assert.Equal(102, expected.Count);
        Assert.Equal(23, expected.Count(e => e.Linearizable));
        Assert.All(expected, e => Assert.True(File.Exists(PorcupineCorpus.Jepsen(e.File)), e.File));
    }

    [Theory]
    [MemberData(nameof(Histories))]
    public void Checker_reproduces_the_expected_verdict(string file, bool linearizable)
    {
        var history = JepsenEtcdLog.Parse(PorcupineCorpus.Jepsen(file));

        var outcome = LinearizabilityChecker.Check(EtcdRegisterModel.Instance, history, new CheckOptions { TimeLimit = TimeSpan.FromSeconds(30) });

        Assert.True(
            outcome.Result == (linearizable ? CheckResult.Ok : CheckResult.Illegal),
            $"{file}: expected {(linearizable ? "linearizable" : "not linearizable")}, got {outcome.Describe()}");
    }

    [Fact]
    public void Parser_reads_invocations_completions_and_timeouts()
    {
        string[] log =
        [
            "INFO  jepsen.util - 0\t:invoke\t:read\tnil",
            "some other line",
            "INFO  jepsen.util - 1   :invoke :cas    [1 2]",
            "INFO  jepsen.util - 0\t:ok\t:read\tnil",
            "INFO  jepsen.util - 2\t:invoke\t:write\t4",
            "INFO  jepsen.util - 1\t:fail\t:cas\t[1 2]",
            "INFO  jepsen.util - 2\t:info\t:write\t:timed-out",
            "INFO  jepsen.util - 3\t:invoke\t:read\tnil",
            "INFO  jepsen.util - 3\t:fail\t:read\t:timed-out",
            "",
        ];

        var history = JepsenEtcdLog.Parse(log);

        Assert.Equal(3, history.Count);
        Assert.Equal(new Operation<EtcdInput, EtcdOutput>(0, EtcdInput.Read(), 1, EtcdOutput.Read(null), 3), history[0]);
        Assert.Equal(new Operation<EtcdInput, EtcdOutput>(1, EtcdInput.CompareAndSet(1, 2), 2, EtcdOutput.CompareAndSet(false), 5), history[1]);
        Assert.Equal(EtcdInput.Write(4), history[2].Input);
        Assert.True(history[2].OutcomeUnknown);
        Assert.True(history[2].Output.Unknown);
    }
}
