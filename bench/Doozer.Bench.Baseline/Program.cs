// A constant endpoint on Kestrel, nothing else: GET / answers "ok". Usage: Doozer.Bench.Baseline --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.MapGet("/", () => "ok");
await app.RunAsync();
