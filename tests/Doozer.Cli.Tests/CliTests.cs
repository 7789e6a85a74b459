using System.Text;
using Doozer.TestKit.Processes;
using Xunit.Abstractions;

namespace Doozer.Cli.Tests;

public sealed class NodeFixture : IAsyncLifetime
{
    private DoozerdProcess? _node;

    public DoozerdProcess Node => _node ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _node = await DoozerdProcess.StartAsync(null, "--name", "cli-tests");

    public Task DisposeAsync()
    {
        _node?.Dispose();
        return Task.CompletedTask;
    }

    public static string Dir() => "/c" + Guid.NewGuid().ToString("N")[..12];
}

/// <summary>Every command of the real doozer tool against a live doozerd: output and exit code (CLIENTS.md section 1).</summary>
public sealed class CliTests(NodeFixture fixture, ITestOutputHelper output) : IClassFixture<NodeFixture>
{
    private Uri Url => fixture.Node.Url;

    private async Task<Tool.Run> Doozer(params string[] args)
    {
        var run = await Tool.RunAsync(Url, args);
        output.WriteLine($"doozer {string.Join(' ', args)} -> {run}");
        return run;
    }

    private async Task<Tool.Run> DoozerIn(byte[] stdin, params string[] args)
    {
        var run = await Tool.RunAsync(Url, stdin, null, args);
        output.WriteLine($"doozer {string.Join(' ', args)} -> {run}");
        return run;
    }

    private static long Rev(Tool.Run run)
    {
        Assert.True(run.Code == 0, run.ToString());
        Assert.EndsWith("\n", run.Out);
        return long.Parse(run.Out.TrimEnd('\n'), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Add_creates_and_prints_the_rev_then_exits_1_when_the_file_exists()
    {
        var path = NodeFixture.Dir() + "/f";
        var rev = Rev(await DoozerIn("v"u8.ToArray(), "add", path));
        Assert.True(rev > 0);
        var again = await DoozerIn("w"u8.ToArray(), "add", path);
        Assert.Equal(1, again.Code);
        Assert.Empty(again.Stdout);
        Assert.StartsWith("Error: ", again.Stderr);
    }

    [Fact]
    public async Task Set_is_conditional_and_a_stale_rev_exits_1()
    {
        var path = NodeFixture.Dir() + "/f";
        var first = Rev(await DoozerIn("1"u8.ToArray(), "set", path, "-1"));
        var second = Rev(await DoozerIn("2"u8.ToArray(), "set", path, first.ToString()));
        Assert.Equal(first + 1, second);
        var stale = await DoozerIn("3"u8.ToArray(), "set", path, first.ToString());
        Assert.Equal(1, stale.Code);
        Assert.Contains(second.ToString(), stale.Stderr);
        Assert.Equal("2", (await Doozer("get", path)).Out);
    }

    [Fact]
    public async Task Get_prints_the_raw_bytes_honours_r_and_a_missing_file_exits_2()
    {
        var path = NodeFixture.Dir() + "/f";
        byte[] binary = [0, 10, 255, 13, 10];
        var rev = Rev(await DoozerIn(binary, "set", path, "-1"));
        Rev(await DoozerIn("later"u8.ToArray(), "set", path, "-1"));
        Assert.Equal("later", (await Doozer("get", path)).Out);
        var old = await Doozer("-r", rev.ToString(), "get", path);
        Assert.Equal(0, old.Code);
        Assert.Equal(binary, old.Stdout);
        var missing = await Doozer("get", path + "-none");
        Assert.Equal(2, missing.Code);
        Assert.Empty(missing.Stdout);
        Assert.StartsWith("Error: ", missing.Stderr);
        Assert.Contains("not found", missing.Stderr);
    }

    [Fact]
    public async Task Del_prints_nothing_and_is_conditional()
    {
        var path = NodeFixture.Dir() + "/f";
        var rev = Rev(await DoozerIn("1"u8.ToArray(), "set", path, "-1"));
        var stale = await Doozer("del", path, (rev - 1).ToString());
        Assert.Equal(1, stale.Code);
        var deleted = await Doozer("del", path, rev.ToString());
        Assert.Equal(0, deleted.Code);
        Assert.Empty(deleted.Stdout);
        var missing = await Doozer("del", path, "-1");
        Assert.Equal(2, missing.Code);
        Assert.StartsWith("Error: ", missing.Stderr);
    }

    [Fact]
    public async Task Rev_nop_and_self_print_what_doozer_printed()
    {
        var rev = Rev(await Doozer("rev"));
        Assert.True(rev > 0);
        var nop = await Doozer("nop");
        Assert.Equal(0, nop.Code);
        Assert.Empty(nop.Stdout);
        var self = await Doozer("self");
        Assert.Equal(0, self.Code);
        Assert.Matches("^[0-9a-f]+\n$", self.Out);
    }

    [Fact]
    public async Task Stat_prints_rev_and_length_for_a_file_d_and_count_for_a_directory_and_exits_2_when_missing()
    {
        var dir = NodeFixture.Dir();
        var rev = Rev(await DoozerIn("hello"u8.ToArray(), "set", dir + "/f", "-1"));
        await DoozerIn([], "set", dir + "/sub/g", "-1");
        Assert.Equal($"{rev} 5\n", (await Doozer("stat", dir + "/f")).Out);
        Assert.Equal("d 2\n", (await Doozer("stat", dir)).Out);
        var missing = await Doozer("stat", dir + "/none");
        Assert.Equal(2, missing.Code);
        Assert.Equal($"No such file or directory: {dir}/none\n", missing.Stderr);
    }

    [Fact]
    public async Task Find_prints_the_directory_then_everything_below_depth_first()
    {
        var dir = NodeFixture.Dir();
        foreach (var p in new[] { "/b-x", "/b/c", "/a", "/b/d/e" })
            await DoozerIn("x"u8.ToArray(), "set", dir + p, "-1");
        var rev = Rev(await Doozer("rev"));
        await DoozerIn("x"u8.ToArray(), "set", dir + "/z", "-1");
        var found = await Doozer("find", dir);
        Assert.Equal(0, found.Code);
        string[] before = ["", "/a", "/b", "/b/c", "/b/d", "/b/d/e", "/b-x"];
        Assert.Equal(string.Concat(before.Append("/z").Select(p => dir + p + "\n")), found.Out);
        Assert.Equal(string.Concat(before.Select(p => dir + p + "\n")), (await Doozer("-r", rev.ToString(), "find", dir)).Out);
        Assert.Equal(2, (await Doozer("find", dir + "/none")).Code);
    }

    [Fact]
    public async Task Touch_creates_an_empty_file_then_bumps_its_rev_keeping_the_value()
    {
        var path = NodeFixture.Dir() + "/f";
        var created = Rev(await Doozer("touch", path));
        Assert.Empty((await Doozer("get", path)).Stdout);
        await DoozerIn("keep"u8.ToArray(), "set", path, created.ToString());
        var bumped = Rev(await Doozer("touch", path));
        Assert.Equal(created + 2, bumped);
        Assert.Equal("keep", (await Doozer("get", path)).Out);
    }

    [Fact]
    public async Task Wait_prints_an_event_record_with_a_binary_body_and_del_with_length_zero()
    {
        var dir = NodeFixture.Dir();
        byte[] binary = [0, 1, 10, 255];
        var rev = Rev(await DoozerIn(binary, "set", dir + "/f", "-1"));
        await Doozer("del", dir + "/f", "-1");
        var set = await Doozer("-r", rev.ToString(), "wait", dir + "/**");
        Assert.Equal(0, set.Code);
        byte[] record = [.. Encoding.UTF8.GetBytes($"{dir}/f {rev} set 4\n"), .. binary, (byte)'\n'];
        Assert.Equal(record, set.Stdout);
        var del = await Doozer("-r", (rev + 1).ToString(), "wait", dir + "/**");
        Assert.Equal($"{dir}/f {rev + 1} del 0\n\n", del.Out);
        var timedOut = await Doozer("-t", "0.2", "wait", dir + "/**");
        Assert.Equal(2, timedOut.Code);
        Assert.StartsWith("Error: ", timedOut.Stderr);
    }

    [Fact]
    public async Task Wait_without_r_waits_for_the_next_change()
    {
        var dir = NodeFixture.Dir();
        using var process = Tool.Start(Url, null, "wait", dir + "/**");
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        await Task.Delay(2000);
        var rev = Rev(await DoozerIn("hi"u8.ToArray(), "set", dir + "/f", "-1"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        await copy;
        Assert.Equal(0, process.ExitCode);
        Assert.Equal($"{dir}/f {rev} set 2\nhi\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public async Task Watch_prints_every_change_from_r_as_event_records_with_binary_bodies()
    {
        var dir = NodeFixture.Dir();
        byte[] binary = [0, 10, 13, 255, 10];
        var first = Rev(await DoozerIn(binary, "set", dir + "/a", "-1"));
        await DoozerIn("b"u8.ToArray(), "set", dir + "/b/x", "-1");
        await DoozerIn("c"u8.ToArray(), "set", dir + "/b/y", "-1");
        await Doozer("del", dir + "/a", "-1");
        byte[] expected =
        [
            .. Encoding.UTF8.GetBytes($"{dir}/a {first} set 5\n"), .. binary, (byte)'\n',
            .. Encoding.UTF8.GetBytes($"{dir}/b/x {first + 1} set 1\nb\n{dir}/b/y {first + 2} set 1\nc\n{dir}/a {first + 3} del 0\n\n"),
        ];
        using var process = Tool.Start(Url, null, "-r", first.ToString(), "watch", dir + "/**");
        try
        {
            var buffer = new byte[expected.Length];
            var read = 0;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (read < buffer.Length)
            {
                var n = await process.StandardOutput.BaseStream.ReadAsync(buffer.AsMemory(read), cts.Token);
                if (n == 0)
                    Assert.Fail("watch ended early: " + await process.StandardError.ReadToEndAsync());
                read += n;
            }
            Assert.Equal(expected, buffer);
            Assert.False(process.HasExited);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Cluster_lists_the_members_and_adds_and_removes_a_voter_slot()
    {
        var cluster = await Doozer("cluster");
        Assert.Equal(0, cluster.Code);
        Assert.Contains("name local\n", cluster.Out);
        Assert.Contains("cli-tests voter", cluster.Out);
        Assert.Contains(" leader self\n", cluster.Out);
        var slot = Rev(await Doozer("cluster", "add-slot"));
        Assert.Matches("^[0-9]+ 0\n$", (await Doozer("stat", $"/ctl/cal/{slot}")).Out);
        Assert.Equal(0, (await Doozer("cluster", "remove-slot", slot.ToString())).Code);
        Assert.Equal(2, (await Doozer("stat", $"/ctl/cal/{slot}")).Code);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("set", "/a")]
    [InlineData("set", "/a", "notanumber")]
    [InlineData("del", "/a", "-7")]
    [InlineData("get")]
    [InlineData("get", "/a", "/b")]
    [InlineData("-r", "x", "get", "/a")]
    [InlineData("help", "bogus")]
    [InlineData("get", "relative")]
    [InlineData()]
    public async Task Bad_usage_exits_127(params string[] args)
    {
        var run = await Doozer(args);
        Assert.Equal(127, run.Code);
        Assert.False(string.IsNullOrWhiteSpace(run.Stderr));
    }

    [Fact]
    public async Task Help_lists_every_command_and_help_of_one_command_shows_its_usage()
    {
        var help = await Doozer("help");
        Assert.Equal(0, help.Code);
        foreach (var command in new[] { "add", "set", "del", "get", "rev", "stat", "find", "touch", "nop", "self", "wait", "watch", "help", "cluster" })
            Assert.Contains($"  {command} ", help.Out);
        var get = await Doozer("help", "get");
        Assert.Equal(0, get.Code);
        Assert.Contains("doozer get <PATH>", get.Out);
        Assert.Equal(0, (await Doozer("-h")).Code);
        Assert.Equal(0, (await Tool.RunAsync(null, "-v")).Code);
    }

    [Fact]
    public async Task Doozer_uri_may_list_several_nodes_and_a_dead_one_is_skipped()
    {
        var dead = $"http://127.0.0.1:{DoozerdProcess.FreePort()}";
        var env = new Dictionary<string, string> { ["DOOZER_URI"] = $"{dead},{Url}" };
        var run = await Tool.RunAsync(null, [], env, "rev");
        Assert.Equal(0, run.Code);
        var flags = await Tool.RunAsync(null, [], null, "-a", dead, "-a", Url.ToString(), "self");
        Assert.Equal(0, flags.Code);
        var none = await Tool.RunAsync(null, [], new Dictionary<string, string> { ["DOOZER_URI"] = dead }, "rev");
        Assert.Equal(2, none.Code);
        Assert.StartsWith("Error: ", none.Stderr);
    }

    [Fact]
    public async Task The_secret_comes_from_the_flag_or_doozer_secret()
    {
        await using var node = await DoozerdProcess.StartAsync(output.WriteLine, "--secret", "s3");
        Assert.Equal(2, (await Tool.RunAsync(node.Url, "rev")).Code);
        Assert.Equal(0, (await Tool.RunAsync(node.Url, "--secret", "s3", "rev")).Code);
        Assert.Equal(0, (await Tool.RunAsync(node.Url, [], new Dictionary<string, string> { ["DOOZER_SECRET"] = "s3" }, "rev")).Code);
    }
}
