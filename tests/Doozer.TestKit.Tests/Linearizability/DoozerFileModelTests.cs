using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Tree;

namespace Doozer.TestKit.Tests.Linearizability;

public sealed class DoozerFileModelTests
{
    private const string A = "/a";
    private const string B = "/b";

    private static void AssertResult(CheckResult expected, CheckOutcome<FileInput, FileResult> outcome) =>
        Assert.True(outcome.Result == expected, $"expected {expected}, got {outcome.Describe()}");

    [Fact]
    public void Sequential_writes_and_reads_are_linearizable()
    {
        var outcome = new FileHistory()
            .Op(1, 0, 1, FileInput.Read(A), FileResult.NotFound())
            .Op(1, 2, 3, FileInput.Write(A, "x"), FileResult.Written(5))
            .Op(2, 4, 5, FileInput.Read(A), FileResult.Found("x", 5, storeRev: 7))
            .Op(1, 6, 7, FileInput.Write(A, "y"), FileResult.Written(9))
            .Op(2, 8, 9, FileInput.Read(A), FileResult.Found("y", 9))
            .Op(1, 10, 11, FileInput.Delete(A), FileResult.Deleted(12))
            .Op(2, 12, 13, FileInput.Read(A), FileResult.NotFound(storeRev: 12))
            .Op(1, 14, 15, FileInput.Create(A, "z"), FileResult.Written(20))
            .Op(2, 16, 17, FileInput.Read(A), FileResult.Found("z", 20))
            .Check();

        AssertResult(CheckResult.Ok, outcome);
    }

    [Theory]
    [InlineData("x", 3)]
    [InlineData("y", 8)]
    public void A_read_concurrent_with_a_write_may_see_either_value(string seen, long rev)
    {
        var outcome = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(1, 2, 6, FileInput.Write(A, "y"), FileResult.Written(8))
            .Op(2, 3, 5, FileInput.Read(A), FileResult.Found(seen, rev))
            .Check();

        AssertResult(CheckResult.Ok, outcome);
    }

    [Fact]
    public void Stale_read_after_a_completed_write_is_illegal()
    {
        var outcome = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(1, 2, 3, FileInput.Write(A, "y"), FileResult.Written(7))
            .Op(2, 4, 5, FileInput.Read(A), FileResult.Found("x", 3))
            .Check();

        AssertResult(CheckResult.Illegal, outcome);
    }

    [Fact]
    public void Lost_acknowledged_write_is_illegal()
    {
        var outcome = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(2, 2, 3, FileInput.Read(A), FileResult.NotFound())
            .Check();

        AssertResult(CheckResult.Illegal, outcome);
    }

    [Fact]
    public void Read_with_the_right_value_but_a_wrong_rev_is_illegal()
    {
        var outcome = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(2, 2, 3, FileInput.Read(A), FileResult.Found("x", 4))
            .Check();

        AssertResult(CheckResult.Illegal, outcome);
    }

    [Fact]
    public void Writes_returning_revs_out_of_real_time_order_are_illegal()
    {
        var outcome = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(9))
            .Op(2, 2, 3, FileInput.Write(A, "y"), FileResult.Written(5))
            .Check();

        AssertResult(CheckResult.Illegal, outcome);
    }

    [Fact]
    public void Concurrent_writes_may_commit_in_either_order_but_revs_must_follow_it()
    {
        var legal = new FileHistory()
            .Op(1, 0, 3, FileInput.Write(A, "x"), FileResult.Written(9))
            .Op(2, 1, 2, FileInput.Write(A, "y"), FileResult.Written(5))
            .Op(3, 4, 5, FileInput.Read(A), FileResult.Found("x", 9))
            .Check();
        // The rev order says y then x, so the last value must be x.
        var illegal = new FileHistory()
            .Op(1, 0, 3, FileInput.Write(A, "x"), FileResult.Written(9))
            .Op(2, 1, 2, FileInput.Write(A, "y"), FileResult.Written(5))
            .Op(3, 4, 5, FileInput.Read(A), FileResult.Found("y", 5))
            .Check();

        AssertResult(CheckResult.Ok, legal);
        AssertResult(CheckResult.Illegal, illegal);
    }

    [Fact]
    public void Conditional_write_succeeding_on_a_stale_rev_is_illegal()
    {
        var outcome = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(1, 2, 3, FileInput.Write(A, "y"), FileResult.Written(6))
            .Op(2, 4, 5, FileInput.WriteIfMatch(A, "z", 3), FileResult.Written(8))
            .Check();

        AssertResult(CheckResult.Illegal, outcome);
    }

    [Fact]
    public void Conditional_write_racing_another_write_may_win_or_lose()
    {
        var won = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(1, 2, 5, FileInput.Write(A, "y"), FileResult.Written(6))
            .Op(2, 3, 4, FileInput.WriteIfMatch(A, "z", 3), FileResult.Written(4))
            .Op(2, 6, 7, FileInput.Read(A), FileResult.Found("y", 6))
            .Check();
        var lost = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(1, 2, 5, FileInput.Write(A, "y"), FileResult.Written(6))
            .Op(2, 3, 4, FileInput.WriteIfMatch(A, "z", 3), FileResult.RevMismatch(6))
            .Check();
        var wrongCurrentRev = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(2, 3, 4, FileInput.WriteIfMatch(A, "z", 2), FileResult.RevMismatch(5))
            .Check();

        AssertResult(CheckResult.Ok, won);
        AssertResult(CheckResult.Ok, lost);
        AssertResult(CheckResult.Illegal, wrongCurrentRev);
    }

    [Fact]
    public void Create_only_succeeds_once()
    {
        var legal = new FileHistory()
            .Op(1, 0, 2, FileInput.Create(A, "x"), FileResult.Written(3))
            .Op(2, 1, 3, FileInput.Create(A, "y"), FileResult.RevMismatch(3))
            .Check();
        var illegal = new FileHistory()
            .Op(1, 0, 2, FileInput.Create(A, "x"), FileResult.Written(3))
            .Op(2, 1, 3, FileInput.Create(A, "y"), FileResult.Written(4))
            .Check();

        AssertResult(CheckResult.Ok, legal);
        AssertResult(CheckResult.Illegal, illegal);
    }

    [Fact]
    public void Deletes_follow_the_api_rules()
    {
        var legal = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(1, 2, 3, FileInput.DeleteIfMatch(A, 2), FileResult.RevMismatch(3))
            .Op(1, 4, 5, FileInput.DeleteIfMatch(A, 3), FileResult.Deleted(4))
            .Op(1, 6, 7, FileInput.DeleteIfMatch(A, 3), FileResult.NotFound())
            .Op(1, 8, 9, FileInput.Write(A, "y"), FileResult.Written(10))
            .Check();
        var writeBeforeDeleteRev = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(1, 2, 3, FileInput.Delete(A), FileResult.Deleted(8))
            .Op(1, 4, 5, FileInput.Write(A, "y"), FileResult.Written(6))
            .Check();

        AssertResult(CheckResult.Ok, legal);
        AssertResult(CheckResult.Illegal, writeBeforeDeleteRev);
    }

    [Fact]
    public void Write_with_a_lost_answer_explains_a_later_read()
    {
        var outcome = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Lost(2, 2, FileInput.Write(A, "y"))
            .Op(3, 4, 5, FileInput.Read(A), FileResult.Found("x", 3))
            .Op(3, 6, 7, FileInput.Read(A), FileResult.Found("y", 10))
            .Op(3, 8, 9, FileInput.WriteIfMatch(A, "z", 10), FileResult.Written(12))
            .Check();

        AssertResult(CheckResult.Ok, outcome);
    }

    [Fact]
    public void Write_with_a_lost_answer_takes_effect_at_most_once()
    {
        var withoutIt = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Op(3, 6, 7, FileInput.Read(A), FileResult.Found("y", 10))
            .Check();
        var flipFlop = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Lost(2, 2, FileInput.Write(A, "y"))
            .Op(3, 4, 5, FileInput.Read(A), FileResult.Found("y", 10))
            .Op(3, 6, 7, FileInput.Read(A), FileResult.Found("x", 3))
            .Check();
        var pinnedRev = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "x"), FileResult.Written(3))
            .Lost(2, 2, FileInput.Write(A, "y"))
            .Op(3, 4, 5, FileInput.Read(A), FileResult.Found("y", 10))
            .Op(3, 6, 7, FileInput.Read(A), FileResult.Found("y", 11))
            .Check();

        AssertResult(CheckResult.Illegal, withoutIt);
        AssertResult(CheckResult.Illegal, flipFlop);
        AssertResult(CheckResult.Illegal, pinnedRev);
    }

    [Fact]
    public void Lost_conditional_write_on_an_unknown_rev_can_explain_a_read()
    {
        var outcome = new FileHistory()
            .Lost(1, 0, FileInput.Write(A, "x"))
            .Lost(2, 1, FileInput.WriteIfMatch(A, "y", 4))
            .Op(3, 5, 6, FileInput.Read(A), FileResult.Found("y", 9))
            .Check();

        AssertResult(CheckResult.Ok, outcome);
    }

    [Fact]
    public void Paths_are_checked_separately_and_the_failing_path_is_named()
    {
        var outcome = new FileHistory()
            .Op(1, 0, 1, FileInput.Write(A, "a1"), FileResult.Written(3))
            .Op(2, 0, 1, FileInput.Write(B, "b1"), FileResult.Written(4))
            .Op(1, 2, 3, FileInput.Write(A, "a2"), FileResult.Written(5))
            .Op(2, 4, 5, FileInput.Read(B), FileResult.Found("b1", 4))
            .Op(2, 6, 7, FileInput.Read(A), FileResult.Found("a1", 3))
            .Check();

        AssertResult(CheckResult.Illegal, outcome);
        Assert.Equal(2, outcome.Partitions.Count);
        var failed = Assert.Single(outcome.Partitions, p => p.Result == CheckResult.Illegal);
        Assert.Equal(A, failed.Key);
        Assert.Equal(FileInput.Read(A), failed.Blocked!.Input);
        Assert.Equal([FileInput.Write(A, "a1"), FileInput.Write(A, "a2")], failed.LongestPrefix.Select(o => o.Input));
        Assert.Contains("partition '/a': Illegal", outcome.Describe(), StringComparison.Ordinal);
    }
}
