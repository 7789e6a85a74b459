using Doozer.TestKit.Processes;

namespace Doozer.TestKit.Tests.Processes;

/// <summary>The node launcher with one real in-memory node: launch without waiting, SIGSTOP/SIGCONT, SIGKILL, restart on the same port.</summary>
public sealed class DoozerdProcessTests
{
    [Fact]
    public async Task A_paused_node_answers_nothing_until_resumed_and_a_killed_one_can_restart_on_its_port()
    {
        var lines = new List<string>();
        await using var node = DoozerdProcess.Launch(new DoozerdLaunch
        {
            Flags = ["--memory"],
            OnLine = line =>
            {
                lock (lines)
                    lines.Add(line);
            },
        });
        await node.WaitReadyAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = node.Url, Timeout = TimeSpan.FromSeconds(1) };
        Assert.True((await http.PutAsync("/tree/p", new StringContent("v"))).IsSuccessStatusCode);

        node.Pause();
        Assert.True(node.IsPaused);
        Assert.True(node.IsRunning);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.GetAsync("/tree/p"));

        node.Resume();
        Assert.False(node.IsPaused);
        // After a pause the node's timers fire late: give the first linearizable read a moment.
        using (var patient = new HttpClient { BaseAddress = node.Url, Timeout = TimeSpan.FromSeconds(15) })
            Assert.Equal("v", await patient.GetStringAsync("/tree/p"));

        node.Kill();
        Assert.False(node.IsRunning);
        Assert.NotNull(node.ExitCode);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync("/tree/p"));

        // The same port again; in memory, so the file is gone.
        await using var again = await DoozerdProcess.StartAsync(new DoozerdLaunch { Port = node.Port, Flags = ["--memory"] });
        Assert.Equal(node.Port, again.Port);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/tree/p")).StatusCode);
        lock (lines)
            Assert.NotEmpty(lines);
    }

    [Fact]
    public async Task A_node_paused_when_disposed_is_killed_all_the_same()
    {
        var node = await DoozerdProcess.StartAsync(new DoozerdLaunch { Flags = ["--memory"] });
        var pid = node.Pid;
        node.Pause();
        await node.DisposeAsync();
        Assert.False(File.Exists($"/proc/{pid}/status") && !File.ReadAllText($"/proc/{pid}/status").Contains("zombie", StringComparison.Ordinal));
    }
}
