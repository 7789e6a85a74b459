using System.Reflection;
using System.Text.Json;
using Refit;

namespace Doozer.Client.Tests;

public sealed class OpenApiCoverageTests
{
    internal static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate) || Directory.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException(relative);
    }

    private static IEnumerable<(string Method, string Path, string OperationId)> Operations()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepoFile("openapi/doozer.v1.json")));
        foreach (var path in json.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
                yield return (operation.Name.ToUpperInvariant(), path.Name, operation.Value.GetProperty("operationId").GetString()!);
        }
    }

    [Fact]
    public void Every_operation_of_the_openapi_document_has_a_method_with_its_verb_and_route()
    {
        var operations = Operations().ToList();
        Assert.NotEmpty(operations);
        foreach (var (verb, path, id) in operations)
        {
            var method = typeof(IDoozerApi).GetMethod(id);
            Assert.True(method is not null, $"IDoozerApi has no method for operation {id} ({verb} {path})");
            var attribute = method!.GetCustomAttribute<HttpMethodAttribute>();
            Assert.NotNull(attribute);
            Assert.Equal(verb, attribute!.Method.Method);
            Assert.Equal(path.Replace("{path}", "{**path}", StringComparison.Ordinal), attribute.Path);
        }
    }

    [Fact]
    public void The_interface_has_no_method_the_document_does_not_name()
    {
        var ids = Operations().Select(o => o.OperationId).ToHashSet();
        foreach (var method in typeof(IDoozerApi).GetMethods())
            Assert.Contains(method.Name, ids);
    }
}
