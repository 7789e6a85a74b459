using System.Diagnostics;
using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Etcd;
using Doozer.TestKit.Linearizability.Kv;
using Xunit.Abstractions;

namespace Doozer.TestKit.Tests.Linearizability;

/// <summary>
/// The whole corpus in one go, one history after another, to measure what the checker costs (the per-file theories
/// run in parallel with other tests and do not show it). Prints the time; asserts only the verdicts.
/// </summary>
public sealed class CorpusTimingTests(ITestOutputHelper output)
{
    [Fact]
    public void Whole_corpus_reproduces_every_verdict()
    {
        var started = Stopwatch.GetTimestamp();
        var checkedCount = 0;
        var wrong = new List<string>();
        var options = new CheckOptions { TimeLimit = TimeSpan.FromSeconds(30) };

        foreach (var (file, linearizable) in PorcupineCorpus.JepsenExpected())
        {
            var outcome = LinearizabilityChecker.Check(EtcdRegisterModel.Instance, JepsenEtcdLog.Parse(PorcupineCorpus.Jepsen(file)), options);
            Expect(file, linearizable, outcome.Result);
        }

        foreach (var row in KvCorpusTests.Histories())
        {
            var (file, linearizable, partitionPerKey) = ((string)row[0], (bool)row[1], (bool)row[2]);
            var history = KvLog.Parse(PorcupineCorpus.Kv(file));
            var outcome = LinearizabilityChecker.Check(KvModel.For(history, partitionPerKey), history, options);
            Expect($"{file} (partitioned: {partitionPerKey})", linearizable, outcome.Result);
            long steps = 0;
            var groups = 0;
            foreach (var partition in outcome.Partitions)
            {
                steps += partition.Steps;
                groups += partition.IndependentGroups;
            }

            output.WriteLine(
                $"{file} partitioned per key: {partitionPerKey}: {outcome.Result} in {outcome.Elapsed.TotalMilliseconds:F0} ms, "
                + $"{outcome.Partitions.Count} partitions, {groups} searches, {steps} steps");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        output.WriteLine($"corpus: {checkedCount} histories checked in {elapsed.TotalSeconds:F2} s");
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));

        void Expect(string name, bool linearizable, CheckResult result)
        {
            checkedCount++;
            if (result != (linearizable ? CheckResult.Ok : CheckResult.Illegal))
            {
                wrong.Add($"{name}: expected {(linearizable ? "linearizable" : "not linearizable")}, got {result}");
            }
        }
    }
}
