using System.Globalization;

// The floor for "a proxy in .NET": YARP's direct forwarder with its defaults, sending every
// request unchanged to one destination. No auth, no body parsing, no metering.
if (args.Length != 4 || args[0] != "--port" || args[2] != "--upstream"
    || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var port) || !Uri.TryCreate(args[3], UriKind.Absolute, out var upstream))
{
    throw new ArgumentException("usage: tollgate-bench-yarp --port N --upstream http://127.0.0.1:M");
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddHttpForwarder();
var app = builder.Build();
app.MapForwarder("/{**path}", upstream.ToString().TrimEnd('/'));
await app.RunAsync();
