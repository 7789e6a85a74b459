using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Doozer.Server.Tests.Api;

/// <summary>
/// openapi/doozer.v1.json is a committed artefact: the document the node serves (the same generator the build runs)
/// must equal the committed one, and every operation must be documented.
/// </summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private readonly DoozerApp _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<JsonNode> ServedAsync() => JsonNode.Parse(await _app.Client().GetStringAsync("/openapi/v1.json"))!;

    [Fact]
    public async Task The_committed_document_is_what_the_build_produces()
    {
        // Compare with the committed version, not the working copy: every build rewrites the working copy.
        var committed = Git("show", "HEAD:openapi/doozer.v1.json");
        var served = await ServedAsync();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(committed), served),
            "openapi/doozer.v1.json differs from the document the server produces: build, review the diff and commit it.");
    }

    [Fact]
    public async Task Every_operation_has_a_summary_described_parameters_and_problem_responses()
    {
        var paths = (await ServedAsync())["paths"]!.AsObject();
        var operations = 0;
        foreach (var (path, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                operations++;
                Assert.False(string.IsNullOrWhiteSpace((string?)operation!["summary"]), $"{method} {path} has no summary");
                Assert.False(string.IsNullOrWhiteSpace((string?)operation["operationId"]), $"{method} {path} has no operationId");
                foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
                    Assert.False(string.IsNullOrWhiteSpace((string?)parameter!["description"]), $"{method} {path} parameter {parameter["name"]} is not described");
                if (path is "/livez" or "/readyz")
                    continue;
                var responses = operation["responses"]!.AsObject();
                Assert.Contains(responses, r => r.Key.StartsWith('4') && r.Value!["content"]?["application/problem+json"] is not null);
            }
        }
        Assert.True(operations >= 14, $"only {operations} operations documented");
    }

    private static string Git(params string[] args)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Doozer.sln")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Doozer.sln not found above the test directory.");
        var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)} failed: {git.StandardError.ReadToEnd()}");
        return output;
    }
}
