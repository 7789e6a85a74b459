using Doozer.TestKit.Processes;

namespace Doozer.Client.Tests;

/// <summary>One live doozerd shared by the tests of a class; each test writes under its own directory.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private DoozerdProcess? _node;

    public DoozerdProcess Node => _node ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _node = await DoozerdProcess.StartAsync(null, "--name", "client-tests");

    public Task DisposeAsync()
    {
        _node?.Dispose();
        return Task.CompletedTask;
    }

    public DoozerClient Client(params Uri[] before) => new([.. before, Node.Url]);

    public static string Dir() => "/t" + Guid.NewGuid().ToString("N")[..12];
}
