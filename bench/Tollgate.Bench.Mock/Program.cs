using System.Globalization;
using Tollgate.Bench.Mock;

// A mock OpenAI upstream for load tests: answers POST /v1/chat/completions with a fixed
// completion (or a 20-chunk stream) from bytes built once, so it spends as little CPU as possible.
var port = args.Length == 2 && args[0] == "--port" && int.TryParse(args[1], CultureInfo.InvariantCulture, out var p)
    ? p
    : throw new ArgumentException("usage: tollgate-bench-mock --port N");

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
var app = builder.Build();
app.Run(MockHandler.HandleAsync);
await app.RunAsync();
