using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Tollgate.Bench.Hosting;

namespace Tollgate.Bench.Targets;

/// <summary>
/// Tollgate as shipped (<c>serve</c>, default settings, durable group-committed metering) on a
/// fresh data directory (or a PostgreSQL database, with one or more instances), with one model
/// per scenario and load shape pointing at the mock, so each one's usage events can be counted
/// apart. Set up through the admin API only: the serving customer and key, the many keys of the
/// chat-keys scenario, and the customer whose budget refuses everything.
/// </summary>
internal sealed class TollgateServer : IDisposable
{
    private readonly HttpClient _admin;
    private readonly string _runId;

    private TollgateServer(IReadOnlyList<ChildProcess> processes, IReadOnlyList<Uri> urls, HttpClient admin, string runId)
    {
        Processes = processes;
        BaseUrls = urls;
        _admin = admin;
        _runId = runId;
    }

    public IReadOnlyList<ChildProcess> Processes { get; }

    public ChildProcess Process => Processes[0];

    public IReadOnlyList<Uri> BaseUrls { get; }

    public string ApiKey { get; private set; } = "";

    /// <summary>The seeded keys of the chat-keys scenario (empty until seeded).</summary>
    public IReadOnlyList<string> ManyKeys { get; private set; } = [];

    /// <summary>The key of the customer whose budget is used up.</summary>
    public string? RefusedKey { get; private set; }

    /// <summary>Models are named per run: on a reused PostgreSQL database, an earlier run's events are not counted.</summary>
    public string ModelFor(Scenario scenario, LoadShape shape) => $"bench-{_runId}-{shape.Id}-{scenario.Name}";

    public static async Task<TollgateServer> StartAsync(TollgateSettings settings, string assembly, string work, string logDir,
        CancellationToken cancellationToken)
    {
        var adminToken = "bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        // Every instance must hash keys alike, and a database remembers its pepper: one fixed per database.
        var pepper = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("tollgate-bench:" + (settings.Database ?? work))));
        var processes = new List<ChildProcess>();
        var urls = new List<Uri>();
        for (var i = 0; i < settings.Instances; i++)
        {
            var port = FreePort.Next();
            var baseUrl = new Uri($"http://127.0.0.1:{port}");
            var name = settings.Instances == 1 ? "tollgate" : $"tollgate-{i + 1}";
            List<string> arguments = [assembly, "serve", "--data-dir", Path.Combine(work, $"tollgate-data-{i + 1}"), "--urls", baseUrl.ToString().TrimEnd('/'), "--no-demo"];
            if (settings.Database is { } database) arguments.AddRange(["--database", database]);
            arguments.AddRange(settings.ServeArguments);
            var environment = new Dictionary<string, string>(settings.Environment) { ["TOLLGATE_ADMIN_TOKEN"] = adminToken, ["TOLLGATE_KEY_PEPPER"] = pepper };
            var process = ChildProcess.Start(name, "dotnet", arguments, Path.Combine(logDir, $"{name}.log"), environment);
            processes.Add(process);
            urls.Add(baseUrl);
            // One at a time: the first applies the migrations.
            await MockServer.WaitHealthyAsync(process, new Uri(baseUrl, "/readyz"), cancellationToken);
        }
        var admin = new HttpClient { BaseAddress = urls[0], Timeout = TimeSpan.FromMinutes(5) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        return new TollgateServer(processes, urls, admin, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)));
    }

    /// <summary>The models, the serving customer and its key; then the many keys and the refused customer where asked for.</summary>
    public async Task SetUpAsync(Uri mock, IEnumerable<string> models, int customers, int keys, bool refused, CancellationToken cancellationToken)
    {
        foreach (var model in models) await PutModelAsync(model, mock, cancellationToken);
        var customer = await CreateCustomerAsync("bench", null, cancellationToken);
        await LiftTierAsync(customer, cancellationToken);
        ApiKey = await CreateKeyAsync(customer, cancellationToken);
        if (keys > 0)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            ManyKeys = await SeedKeysAsync(customers, keys, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  seeded {customers:N0} customers and {keys:N0} keys in {clock.Elapsed.TotalSeconds:0.0} s"));
        }
        if (refused) RefusedKey = await CreateKeyAsync(await CreateCustomerAsync("bench-at-budget", "0", cancellationToken), cancellationToken);
        // The other instances see the catalog change at their next version check (every 2 s by default).
        if (Processes.Count > 1) await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
    }

    public Target AsTarget() =>
        new("tollgate", [.. BaseUrls.Select(u => new Uri(u, "/v1/chat/completions"))], [], Processes, ModelFor)
        {
            Keys = scenario => scenario.ManyKeys ? ManyKeys : scenario.Refused ? [RefusedKey!] : [ApiKey],
        };

    /// <summary>
    /// Customers one by one (each rebuilds the catalog, which is small then), then their keys
    /// through <c>POST /admin/v1/keys/import</c>: one transaction and one rebuild for all.
    /// </summary>
    private async Task<IReadOnlyList<string>> SeedKeysAsync(int customers, int keys, CancellationToken cancellationToken)
    {
        var ids = new List<string>(customers);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < customers; i++) ids.Add(await CreateCustomerAsync($"bench-{i:D4}", null, cancellationToken));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {customers:N0} customers created one by one in {clock.Elapsed.TotalSeconds:0.0} s"));
        var secrets = new List<string>(keys);
        for (var from = 0; from < keys; from += ImportBatch)
        {
            var batch = new KeyImport([.. Enumerable.Range(from, Math.Min(ImportBatch, keys - from)).Select(k => new KeyImportEntry(ids[k % customers], $"bench-{k:D5}"))]);
            using var response = await _admin.PostAsJsonAsync("/admin/v1/keys/import", batch, BenchJson.Default.KeyImport, cancellationToken);
            await EnsureAsync(response, "importing keys", cancellationToken);
            var created = await response.Content.ReadFromJsonAsync(BenchJson.Default.KeyImportResult, cancellationToken)
                ?? throw new InvalidOperationException("empty key import answer");
            secrets.AddRange(created.Data.Select(k => k.Key));
        }
        return secrets;
    }

    private async Task PutModelAsync(string model, Uri mock, CancellationToken cancellationToken)
    {
        var body = new PutModel("chat", "standard", 4096,
            [new PutBackend($"mock-{model}", "open_ai", new Uri(mock, "/v1").ToString(), new Rates("0.1", null, "0.4"))],
            new Rates("0.15", "0.075", "0.6"));
        using var response = await _admin.PutAsJsonAsync($"/admin/v1/models/{model}", body, BenchJson.Default.PutModel, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT /admin/v1/models/{model} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    private const int ImportBatch = 5_000;

    /// <summary>
    /// Postpaid, so no wallet runs dry, with customer rate limits far above any load here (the
    /// free tier's limits would end the run in seconds); a monthly budget of 0 makes the customer
    /// whose every request is refused.
    /// </summary>
    private async Task<string> CreateCustomerAsync(string name, string? monthlyBudget, CancellationToken cancellationToken)
    {
        using var response = await _admin.PostAsJsonAsync("/admin/v1/customers",
            new CreateCustomer(name, "postpaid", monthlyBudget, new BenchRateLimits(1_000_000_000, 1_000_000_000)), BenchJson.Default.CreateCustomer, cancellationToken);
        await EnsureAsync(response, $"creating customer {name}", cancellationToken);
        return (await response.Content.ReadFromJsonAsync(BenchJson.Default.CreatedId, cancellationToken))?.Id ?? throw new InvalidOperationException("no customer id");
    }

    private async Task<string> CreateKeyAsync(string customerId, CancellationToken cancellationToken)
    {
        using var response = await _admin.PostAsync($"/admin/v1/customers/{customerId}/keys", Json("""{"name":"bench"}"""), cancellationToken);
        await EnsureAsync(response, $"creating a key for {customerId}", cancellationToken);
        return (await response.Content.ReadFromJsonAsync(BenchJson.Default.CreatedKey, cancellationToken))?.Key ?? throw new InvalidOperationException("no key");
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>
    /// A new customer starts in the free spend tier, whose $100 monthly cap a long run could
    /// reach: the top tier by override keeps the run on the serving path (the cap is still
    /// checked on every request). Builds without tiers answer 404 and need none.
    /// </summary>
    private async Task LiftTierAsync(string customerId, CancellationToken cancellationToken)
    {
        using var tier = await _admin.PutAsync($"/admin/v1/customers/{customerId}/tier", Json("""{"level":5,"note":"benchmark"}"""), cancellationToken);
        if (tier.StatusCode == System.Net.HttpStatusCode.NotFound) return;
        if (!tier.IsSuccessStatusCode)
            throw new InvalidOperationException($"setting the tier of {customerId} answered {(int)tier.StatusCode}: {await tier.Content.ReadAsStringAsync(cancellationToken)}");
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>
    /// Counts each model's usage events through the admin API: <c>GET /admin/v1/usage/summary</c>
    /// grouped by model where the build has it, else by paging <c>GET /admin/v1/usage</c>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> CountEventsAsync(IReadOnlyCollection<string> models, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var format = "yyyy-MM-ddTHH:mm:ss.fffZ";
        var from = Uri.EscapeDataString(since.AddHours(-1).UtcDateTime.ToString(format, CultureInfo.InvariantCulture));
        var to = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).UtcDateTime.ToString(format, CultureInfo.InvariantCulture));
        using var response = await _admin.GetAsync($"/admin/v1/usage/summary?group_by=model&from={from}&to={to}", cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var summary = await response.Content.ReadFromJsonAsync(BenchJson.Default.UsageSummary, cancellationToken)
                ?? throw new InvalidOperationException("empty usage summary");
            return models.ToDictionary(m => m, m => summary.Data.Where(r => r.Group == m).Sum(r => r.Requests));
        }
        var counts = new Dictionary<string, long>();
        foreach (var model in models) counts[model] = await PageEventsAsync(model, cancellationToken);
        return counts;
    }

    /// <summary>
    /// Counts a model's events a page of 1,000 at a time, newest first, paging by time only
    /// (completed_at, in milliseconds): each page counts the events newer than its oldest
    /// millisecond and the next page starts at that millisecond, so nothing is counted twice or
    /// skipped while no millisecond holds 1,000 events.
    /// </summary>
    private async Task<long> PageEventsAsync(string model, CancellationToken cancellationToken)
    {
        const int pageSize = 1000;
        long count = 0;
        DateTimeOffset? before = null;
        while (true)
        {
            var url = $"/admin/v1/usage?model={Uri.EscapeDataString(model)}&limit={pageSize}";
            if (before is { } to) url += "&to=" + Uri.EscapeDataString(to.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            var page = await _admin.GetFromJsonAsync(url, BenchJson.Default.UsagePage, cancellationToken)
                ?? throw new InvalidOperationException("empty usage page");
            if (!page.HasMore) return count + page.Data.Count;
            var oldest = page.Data.Min(e => e.CompletedAt);
            var newer = page.Data.Count(e => e.CompletedAt > oldest);
            if (newer == 0) throw new InvalidOperationException($"more than {pageSize} usage events completed in one millisecond; they cannot be paged by time");
            count += newer;
            before = oldest.AddMilliseconds(1);
        }
    }

    public void Dispose() => _admin.Dispose();

}

internal sealed record Rates(string Input, string? CachedInput, string Output);

internal sealed record PutBackend(string Id, string Kind, string BaseUrl, Rates Cost);

internal sealed record PutModel(string Kind, string Tier, int MaxOutputTokens, PutBackend[] Backends, Rates Price);

internal sealed record BenchRateLimits(long RequestsPerMinute, long TokensPerMinute);

internal sealed record CreateCustomer(string Name, string BillingMode, string? MonthlyBudget, BenchRateLimits RateLimits);

internal sealed record CreatedId(string Id);

internal sealed record CreatedKey(string Key);

internal sealed record KeyImportEntry(string CustomerId, string Name);

internal sealed record KeyImport(IReadOnlyList<KeyImportEntry> Keys);

internal sealed record KeyImportResult(IReadOnlyList<CreatedKey> Data);

/// <summary>How the Tollgate target runs: its database, instances, extra serve arguments and environment.</summary>
internal sealed record TollgateSettings(string? Database, int Instances, IReadOnlyList<string> ServeArguments, IReadOnlyDictionary<string, string> Environment);

internal sealed record UsagePage(IReadOnlyList<UsageRow> Data, bool HasMore);

internal sealed record UsageRow(string RequestId, DateTimeOffset CompletedAt, string Status);

internal sealed record UsageSummary(IReadOnlyList<UsageSummaryRow> Data);

internal sealed record UsageSummaryRow(string Group, long Requests);
