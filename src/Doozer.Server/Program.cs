using Doozer.Server.Hosting;

// doozerd: one Doozer node. The pieces are in Hosting/ (settings, services, pipeline), Api/ (endpoints),
// Replication/ (the log and the applied tree) and Watches/ (watch streams).
var (settings, rest, exitCode) = CommandLine.Parse(args);
if (exitCode is { } code)
    return code;

// Settings files live beside the executable, wherever the node is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = rest, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddInMemoryCollection(settings);
if (builder.AddDoozerNode() is { } problem)
{
    Console.Error.WriteLine($"doozerd: {problem}");
    return 2;
}

var app = builder.Build();
app.UseDoozerNode();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
