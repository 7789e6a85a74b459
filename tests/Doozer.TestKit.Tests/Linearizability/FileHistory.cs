using Doozer.TestKit.Linearizability;
using Doozer.TestKit.Linearizability.Tree;

namespace Doozer.TestKit.Tests.Linearizability;

/// <summary>Hand-written Doozer histories: each line is one client's request with its call and return times.</summary>
internal sealed class FileHistory
{
    private readonly List<Operation<FileInput, FileResult>> operations = [];

    public FileHistory Op(int client, long call, long ret, FileInput input, FileResult output)
    {
        operations.Add(new(client, input, call, output, ret));
        return this;
    }

    /// <summary>A request whose answer was lost: it may take effect any time after <paramref name="call"/>.</summary>
    public FileHistory Lost(int client, long call, FileInput input)
    {
        operations.Add(new(client, input, call, FileResult.Unknown, Operation<FileInput, FileResult>.NeverReturned));
        return this;
    }

    public CheckOutcome<FileInput, FileResult> Check() =>
        LinearizabilityChecker.Check(DoozerFileModel.Instance, operations, new CheckOptions { TimeLimit = TimeSpan.FromSeconds(10) });
}
