using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tollgate.Bench.Invoices;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Hosting;

// tollgate invoice benchmark: seed, then time a finalizing run of last month while chat traffic keeps coming.
var options = BenchSettings.Parse(args);
if (options is null)
{
    Console.WriteLine(BenchSettings.Usage);
    return 2;
}
var dataDir = options.DataDir ?? Path.Combine(Path.GetTempPath(), "tollgate-invoice-bench-" + Guid.NewGuid().ToString("N")[..8]);
const string AdminToken = "bench-admin-token-not-secret-0123456789abcdef";
var settings = new ServeSettings
{
    DataDir = dataDir,
    Demo = true,
    AdminToken = AdminToken,
    KeyPepper = "bench-pepper-not-secret",
    Urls = $"http://127.0.0.1:{FreePort()}",
};
var period = BillingPeriod.Of(DateTimeOffset.UtcNow).Previous;
var loadBefore = LoadAverage();
Console.WriteLine($"Seeding {dataDir}: {options.Customers:N0} customers, {options.Events:N0} usage events in {period}");
var seed = await InvoiceSeed.RunAsync(settings, period, options.Customers, options.Events, Console.WriteLine);

var runDocument = "";
LatencyWindow baseline, during;
TimeSpan wall;
await using (var server = await InProcessTollgate.StartAsync(settings))
{
    using var admin = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
    admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    var load = new TrafficLoad(server.Address, seed.DemoApiKey, options.Rate);
    await load.PrimeAsync(TimeSpan.FromMinutes(2));
    load.Start();
    Console.WriteLine($"Traffic at {options.Rate:0} requests/s: {options.Warmup.TotalSeconds:0} s warm-up, {options.Baseline.TotalSeconds:0} s without a run");
    await Task.Delay(options.Warmup);
    var baselineFrom = Stopwatch.GetTimestamp();
    await Task.Delay(options.Baseline);
    var baselineTo = Stopwatch.GetTimestamp();

    Console.WriteLine($"Finalizing {period} for every customer, traffic still running");
    var runFrom = Stopwatch.GetTimestamp();
    using (var started = await admin.PostAsync("/admin/v1/invoice-runs",
        new StringContent($$"""{"period":"{{period}}","finalize":true}""", Encoding.UTF8, "application/json")))
    {
        runDocument = await started.Content.ReadAsStringAsync();
        if (started.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"The run was refused: {runDocument}");
    }
    var runId = JsonDocument.Parse(runDocument).RootElement.GetProperty("id").GetString()!;
    var lastShown = TimeSpan.Zero;
    while (Field(runDocument, "status") == "running")
    {
        await Task.Delay(200);
        runDocument = await admin.GetStringAsync($"/admin/v1/invoice-runs/{runId}");
        if (Stopwatch.GetElapsedTime(runFrom) - lastShown > TimeSpan.FromSeconds(10))
        {
            lastShown = Stopwatch.GetElapsedTime(runFrom);
            Console.WriteLine($"  {Field(runDocument, "done")} of {Field(runDocument, "customers")} customers after {lastShown.TotalSeconds:0} s");
        }
    }
    var runTo = Stopwatch.GetTimestamp();
    wall = Stopwatch.GetElapsedTime(runFrom, runTo);
    // Stop sending and wait for every request in flight: one stalled past the run still counts in the window it was scheduled in.
    await load.DisposeAsync();
    baseline = load.Window(baselineFrom, baselineTo);
    during = load.Window(runFrom, runTo);
    if (load.FirstFailure is { } failure) Console.WriteLine($"First failed request: {failure}");
}

var run = JsonDocument.Parse(runDocument).RootElement;
var serverSeconds = (run.GetProperty("completed_at").GetDateTimeOffset() - run.GetProperty("started_at").GetDateTimeOffset()).TotalSeconds;
var (invoices, usageLines, rounded) = await InvoicedAsync(settings.DatabasePath, period);
Console.WriteLine();
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, load average before seeding {loadBefore}, after the run {LoadAverage()}; Tollgate and the load generator in one process.");
Console.WriteLine($"Seed: customers {seed.CustomersTime.TotalSeconds:0.0} s, events and ledger {seed.EventsTime.TotalSeconds:0.0} s, rollup rebuild {seed.RollupsTime.TotalSeconds:0.0} s");
Console.WriteLine($"Run {run.GetProperty("id").GetString()}: status {run.GetProperty("status").GetString()}, {run.GetProperty("finalized").GetInt32():N0} finalized, "
    + $"{run.GetProperty("failed").GetInt32():N0} failed, {serverSeconds:0.0} s on the server ({wall.TotalSeconds:0.0} s polled), "
    + $"{run.GetProperty("done").GetInt32() / serverSeconds:0} customers/s");
Console.WriteLine($"Invoices of {period}: {invoices:N0} finalized; usage lines {Money.Format(usageLines)} vs events {Money.Format(seed.Charged)} "
    + $"({(usageLines == seed.Charged ? "equal" : "DIFFERENT")}); rounded totals {Money.Format(rounded)}");
Console.WriteLine("| traffic | requests | failed | achieved/s | p50 ms | p99 ms | max ms |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
Console.WriteLine(Row("without a run", baseline));
Console.WriteLine(Row("during the run", during));
if (!options.KeepData) Directory.Delete(dataDir, recursive: true);
else Console.WriteLine($"Data kept in {dataDir}");
return usageLines == seed.Charged && run.GetProperty("status").GetString() == "succeeded" ? 0 : 1;

static string Row(string name, LatencyWindow w) => string.Create(CultureInfo.InvariantCulture,
    $"| {name} | {w.Requests:N0} | {w.Failed:N0} | {w.Rate:0} | {w.P50:0.0} | {w.P99:0.0} | {w.Max:0.0} |");

static string Field(string json, string name) => JsonDocument.Parse(json).RootElement.GetProperty(name).ToString();

// Other processes' load on the machine, which these figures depend on (Linux only).
static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

// The run's invoices as stored: how many, their usage lines before rounding (must equal what the events charged) and their rounded totals.
static async Task<(int Invoices, decimal UsageLines, decimal Rounded)> InvoicedAsync(string database, BillingPeriod period)
{
    await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
    await connection.OpenAsync();
    using var select = connection.CreateCommand();
    select.CommandText = """
        SELECT i.id, i.total, l.kind, l.amount FROM invoices i LEFT JOIN invoice_lines l ON l.invoice_id = i.id
        WHERE i.period = $period AND i.status IN ('finalized', 'paid')
        """;
    select.Parameters.AddWithValue("$period", period.ToString());
    var ids = new HashSet<string>(StringComparer.Ordinal);
    decimal lines = 0, rounded = 0;
    await using var reader = await select.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        if (ids.Add(reader.GetString(0))) rounded += Money.Parse(reader.GetString(1));
        if (!reader.IsDBNull(2) && reader.GetString(2) is "usage" or "usage_not_charged") lines += Money.Parse(reader.GetString(3));
    }
    return (ids.Count, lines, rounded);
}

/// <summary>The command line; defaults are the issue's 10,000 customers and 1,000,000 events.</summary>
internal sealed record BenchSettings(int Customers, int Events, double Rate, TimeSpan Warmup, TimeSpan Baseline, string? DataDir, bool KeepData)
{
    public const string Usage = """
        Tollgate.Bench.Invoices: a finalizing invoice run over many customers while chat traffic keeps coming.

        Usage: dotnet run -c Release --project bench/Tollgate.Bench.Invoices -- [options]

          --customers 10000    customers to seed (postpaid, created before the month)
          --events 1000000     usage events to seed, spread evenly over customers and over last month
          --rate 50            chat requests per second sent during the whole measurement (open loop)
          --warmup 10          seconds of traffic before measuring
          --baseline 20        seconds of traffic measured without a run
          --data-dir DIR       an empty directory to seed (default: a new temporary one)
          --keep-data          keep the data directory afterwards
        """;

    public static BenchSettings? Parse(string[] args)
    {
        var settings = new BenchSettings(10_000, 1_000_000, 50, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), null, false);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Count() => int.Parse(Value(), CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--customers" => settings with { Customers = Count() },
                "--events" => settings with { Events = Count() },
                "--rate" => settings with { Rate = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--warmup" => settings with { Warmup = TimeSpan.FromSeconds(Count()) },
                "--baseline" => settings with { Baseline = TimeSpan.FromSeconds(Count()) },
                "--data-dir" => settings with { DataDir = Value() },
                "--keep-data" => settings with { KeepData = true },
                _ => null,
            };
            if (settings is null) return null;
        }
        return settings.Customers > 0 && settings.Events >= settings.Customers && settings.Rate > 0 ? settings : null;
    }
}
