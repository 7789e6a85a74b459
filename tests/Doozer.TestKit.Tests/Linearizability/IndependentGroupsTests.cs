using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Kv;

namespace Doozer.TestKit.Tests.Linearizability;

/// <summary>
/// The checker splits a partition into groups of mutually independent operations (by the model's Independent
/// relation) and searches each alone. These tests hold it to the same verdict as one search over the whole partition,
/// above all on non-linearizable histories: a wrong split can only show up as a missed violation.
/// </summary>
public sealed class IndependentGroupsTests
{
    private static readonly CheckOptions Split = new() { Parallel = false };
    private static readonly CheckOptions Whole = new() { Parallel = false, SplitIndependent = false };

    private static Operation<KvInput, KvOutput> Put(int client, long call, long ret, string key, string value) =>
        new(client, new KvInput(KvOperation.Put, key, value), call, KvOutput.Done, ret);

    private static Operation<KvInput, KvOutput> Append(int client, long call, long ret, string key, string value) =>
        new(client, new KvInput(KvOperation.Append, key, value), call, KvOutput.Done, ret);

    private static Operation<KvInput, KvOutput> Get(int client, long call, long ret, string key, string value) =>
        new(client, new KvInput(KvOperation.Get, key, ""), call, KvOutput.Got(value), ret);

    private static (CheckOutcome<KvInput, KvOutput> Split, CheckOutcome<KvInput, KvOutput> Whole) CheckBoth(Operation<KvInput, KvOutput>[] history) =>
        (LinearizabilityChecker.Check(KvModel.For(history, partitionPerKey: false), history, Split),
         LinearizabilityChecker.Check(KvModel.For(history, partitionPerKey: false), history, Whole));

    [Fact]
    public void Stale_read_far_from_the_write_is_caught_across_other_keys()
    {
        // put a=1, long after it a get of a sees "": no operation on a overlaps another, and operations on b sit in
        // between. A split that only links overlapping operations would check the get alone and pass it.
        Operation<KvInput, KvOutput>[] history =
        [
            Put(0, 0, 1, "a", "1"),
            Put(1, 2, 5, "b", "x"),
            Get(2, 3, 4, "b", ""),
            Append(1, 6, 7, "b", "y"),
            Get(0, 8, 9, "a", ""),
        ];

        var (split, whole) = CheckBoth(history);

        Assert.True(split.Result == CheckResult.Illegal, split.Describe());
        Assert.True(whole.Result == CheckResult.Illegal, whole.Describe());
        Assert.Equal(2, split.Partitions[0].IndependentGroups);
        Assert.Equal(history[4], split.Partitions[0].Blocked);
    }

    [Fact]
    public void Violation_needing_the_order_of_several_concurrent_operations_on_one_key_is_caught()
    {
        // Two appends on a overlap; one reader sees "12", a later one "21": no single order explains both. Operations
        // on b, concurrent with all of them, are independent and must not hide it.
        Operation<KvInput, KvOutput>[] history =
        [
            Append(0, 0, 10, "a", "1"),
            Append(1, 0, 10, "a", "2"),
            Put(2, 0, 20, "b", "z"),
            Get(3, 11, 12, "a", "12"),
            Get(4, 13, 14, "a", "21"),
            Get(5, 15, 16, "b", "z"),
        ];
        Operation<KvInput, KvOutput>[] consistent = [.. history[..4], Get(4, 13, 14, "a", "12"), history[5]];

        var (split, whole) = CheckBoth(history);
        var (splitOk, wholeOk) = CheckBoth(consistent);

        Assert.True(split.Result == CheckResult.Illegal, split.Describe());
        Assert.True(whole.Result == CheckResult.Illegal, whole.Describe());
        Assert.True(splitOk.Result == CheckResult.Ok, splitOk.Describe());
        Assert.True(wholeOk.Result == CheckResult.Ok, wholeOk.Describe());
    }

    [Fact]
    public void Timed_out_write_may_land_late_but_only_on_its_own_key()
    {
        // A put on a that timed out may take effect any time after its call; a get on b cannot see it.
        Operation<KvInput, KvOutput>[] ok =
        [
            new(0, new KvInput(KvOperation.Put, "a", "late"), 0, KvOutput.TimedOut, Operation<KvInput, KvOutput>.NeverReturned),
            Get(1, 5, 6, "a", ""),
            Get(1, 7, 8, "a", "late"),
        ];
        Operation<KvInput, KvOutput>[] bad = [ok[0], ok[1], Get(1, 7, 8, "b", "late")];

        Assert.Equal(CheckResult.Ok, CheckBoth(ok).Split.Result);
        Assert.Equal(CheckResult.Illegal, CheckBoth(bad).Split.Result);
        Assert.Equal(CheckResult.Illegal, CheckBoth(bad).Whole.Result);
    }

    [Fact]
    public void Operations_that_touch_two_components_join_their_groups()
    {
        // x := 1, y := 5, then copy x into y, then read y. The copy depends on both registers, so all four operations
        // form one group. Reading 5 ignores the copy: illegal. The copy is listed last, so the groups of x and of
        // {y := 5, read y} exist before it and it must join both: a split that put it in only one of them would check
        // {y := 5, read y = 5} alone and pass the history.
        Operation<RegInput, int?>[] bad =
        [
            new(0, new RegInput(RegOp.Write, "x", 1), 0, null, 1),
            new(1, new RegInput(RegOp.Write, "y", 5), 0, null, 1),
            new(3, new RegInput(RegOp.Read, "y", 0), 4, 5, 5),
            new(2, new RegInput(RegOp.Copy, "x", 0), 2, null, 3),
        ];
        Operation<RegInput, int?>[] badCopyFirst = [bad[0], bad[1], bad[3], bad[2]];
        Operation<RegInput, int?>[] ok = [bad[0], bad[1], new(3, new RegInput(RegOp.Read, "y", 0), 4, 1, 5), bad[3]];
        Operation<RegInput, int?>[] apart = [bad[0], bad[1], bad[2]];

        var badOutcome = LinearizabilityChecker.Check(TwoRegisters.Instance, bad, Split);
        var badCopyFirstOutcome = LinearizabilityChecker.Check(TwoRegisters.Instance, badCopyFirst, Split);
        var okOutcome = LinearizabilityChecker.Check(TwoRegisters.Instance, ok, Split);
        var apartOutcome = LinearizabilityChecker.Check(TwoRegisters.Instance, apart, Split);

        Assert.True(badOutcome.Result == CheckResult.Illegal, badOutcome.Describe());
        Assert.True(badCopyFirstOutcome.Result == CheckResult.Illegal, badCopyFirstOutcome.Describe());
        Assert.Equal(1, badOutcome.Partitions[0].IndependentGroups);
        Assert.True(okOutcome.Result == CheckResult.Ok, okOutcome.Describe());
        Assert.Equal(1, okOutcome.Partitions[0].IndependentGroups);
        // Without the copy, x and y are apart, and y := 5 then read 5 is fine.
        Assert.True(apartOutcome.Result == CheckResult.Ok, apartOutcome.Describe());
        Assert.Equal(2, apartOutcome.Partitions[0].IndependentGroups);
    }

    /// <summary>
    /// Random small histories over three keys, linearizable by construction and then (half of them) corrupted by
    /// changing one get's answer: the split search, one search over the whole map, and the per-key partitioning must
    /// give the same verdict every time, and the sample must contain plenty of both verdicts.
    /// </summary>
    [Fact]
    public void Random_histories_get_the_same_verdict_split_or_whole()
    {
        var verdicts = new Dictionary<CheckResult, int>();
        for (var seed = 0; seed < 400; seed++)
        {
            var history = RandomHistory(new Random(seed));
            var (split, whole) = CheckBoth(history);
            var partitioned = LinearizabilityChecker.Check(KvModel.For(history, partitionPerKey: true), history, Split);

            Assert.True(whole.Result != CheckResult.Unknown, $"seed {seed}: {whole.Describe()}");
            Assert.True(split.Result == whole.Result, $"seed {seed}: split {split.Describe()}; whole {whole.Describe()}");
            Assert.True(partitioned.Result == whole.Result, $"seed {seed}: per key {partitioned.Describe()}; whole {whole.Describe()}");
            verdicts[whole.Result] = verdicts.GetValueOrDefault(whole.Result) + 1;
        }

        Assert.True(verdicts.GetValueOrDefault(CheckResult.Ok) >= 100, $"ok: {verdicts.GetValueOrDefault(CheckResult.Ok)}");
        Assert.True(verdicts.GetValueOrDefault(CheckResult.Illegal) >= 100, $"illegal: {verdicts.GetValueOrDefault(CheckResult.Illegal)}");
    }

    private static Operation<KvInput, KvOutput>[] RandomHistory(Random random)
    {
        string[] keys = ["a", "b", "c"];
        var count = random.Next(6, 14);
        var clientFree = new long[4];
        var ops = new List<(KvInput Input, long Call, long Return, long Point, bool TimedOut)>();
        for (var i = 0; i < count; i++)
        {
            var c = random.Next(4);
            var call = Math.Max(clientFree[c], random.Next(0, 60)) * 10;
            var ret = call + (10 * (1 + random.Next(12)));
            var key = keys[random.Next(keys.Length)];
            var kind = random.Next(10) switch
            {
                < 4 => KvOperation.Get,
                < 6 => KvOperation.Put,
                _ => KvOperation.Append,
            };
            var timedOut = kind != KvOperation.Get && random.Next(8) == 0;
            // Ties are impossible: call and return are multiples of 10, the point is strictly between them.
            var point = timedOut && random.Next(2) == 0 ? long.MaxValue : call + 1 + random.Next((int)(ret - call - 1));
            ops.Add((new KvInput(kind, key, kind == KvOperation.Get ? "" : $"{i};"), call, timedOut ? Operation<KvInput, KvOutput>.NeverReturned : ret, point, timedOut));
            // The next call of this client comes after this return (after a timeout, the check ignores clients).
            clientFree[c] = (ret / 10) + 1;
        }

        // Outputs from executing at the linearization points.
        var order = Enumerable.Range(0, ops.Count).OrderBy(i => ops[i].Point).ToArray();
        var values = keys.ToDictionary(k => k, _ => "");
        var seen = keys.ToDictionary(k => k, _ => new List<string> { "" });
        var outputs = new KvOutput[ops.Count];
        foreach (var i in order)
        {
            var (input, _, _, point, timedOut) = ops[i];
            if (point == long.MaxValue)
            {
                outputs[i] = KvOutput.TimedOut;
                continue;
            }

            switch (input.Kind)
            {
                case KvOperation.Get:
                    outputs[i] = KvOutput.Got(values[input.Key]);
                    break;
                case KvOperation.Put:
                    values[input.Key] = input.Value;
                    seen[input.Key].Add(values[input.Key]);
                    outputs[i] = timedOut ? KvOutput.TimedOut : KvOutput.Done;
                    break;
                default:
                    values[input.Key] += input.Value;
                    seen[input.Key].Add(values[input.Key]);
                    outputs[i] = timedOut ? KvOutput.TimedOut : KvOutput.Done;
                    break;
            }
        }

        if (random.Next(2) == 0)
        {
            // Corrupt one get: another value its key held at some time (often a stale or future read), or the value
            // of another key.
            var gets = Enumerable.Range(0, ops.Count).Where(i => ops[i].Input.Kind == KvOperation.Get).ToArray();
            if (gets.Length > 0)
            {
                var g = gets[random.Next(gets.Length)];
                var pool = seen[random.Next(3) == 0 ? keys[random.Next(keys.Length)] : ops[g].Input.Key];
                outputs[g] = KvOutput.Got(pool[random.Next(pool.Count)]);
            }
        }

        var history = new Operation<KvInput, KvOutput>[ops.Count];
        for (var i = 0; i < ops.Count; i++)
        {
            history[i] = new Operation<KvInput, KvOutput>(i % 4, ops[i].Input, ops[i].Call, outputs[i], ops[i].Return);
        }

        return history;
    }

    public enum RegOp
    {
        Write,
        Read,
        Copy,
    }

    /// <summary>Write or read register x or y, or copy x into y. The state is (x, y).</summary>
    public readonly record struct RegInput(RegOp Op, string Register, int Value);

    /// <summary>Two registers and an operation that touches both: Independent only for operations on disjoint registers.</summary>
    private sealed class TwoRegisters : ILinearizabilityModel<(int X, int Y), RegInput, int?>
    {
        public static TwoRegisters Instance { get; } = new();

        public (int X, int Y) Init() => (0, 0);

        public bool Step((int X, int Y) state, RegInput input, int? output, out (int X, int Y) next)
        {
            next = state;
            switch (input.Op)
            {
                case RegOp.Write:
                    next = input.Register == "x" ? (input.Value, state.Y) : (state.X, input.Value);
                    return true;
                case RegOp.Read:
                    return output == (input.Register == "x" ? state.X : state.Y);
                default:
                    next = (state.X, state.X);
                    return true;
            }
        }

        public bool IsReadOnly(RegInput input, int? output) => input.Op == RegOp.Read;

        public bool Independent(RegInput a, RegInput b) =>
            a.Op != RegOp.Copy && b.Op != RegOp.Copy && a.Register != b.Register;

        public bool Equal((int X, int Y) a, (int X, int Y) b) => a == b;

        public int Hash((int X, int Y) state) => state.GetHashCode();

        public IReadOnlyList<HistoryPartition<RegInput, int?>> Partition(IReadOnlyList<Operation<RegInput, int?>> history) =>
            HistoryPartition<RegInput, int?>.Whole(history);
    }
}
