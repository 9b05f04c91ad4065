using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Tollgate.Bench.Hosting;

namespace Tollgate.Bench.Targets;

/// <summary>
/// Tollgate as shipped (<c>serve</c>, default settings, durable group-committed metering) on a
/// fresh data directory, with one model per scenario and load shape pointing at the mock, so
/// each one's usage events can be counted apart. Set up through the admin API only.
/// </summary>
internal sealed partial class TollgateServer : IDisposable
{
    private readonly HttpClient _admin;

    private TollgateServer(ChildProcess process, Uri baseUrl, string apiKey, HttpClient admin)
    {
        Process = process;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        _admin = admin;
    }

    public ChildProcess Process { get; }

    public Uri BaseUrl { get; }

    public string ApiKey { get; }

    public static string ModelFor(Scenario scenario, LoadShape shape) => $"bench-{shape.Id}-{scenario.Name}";

    public static async Task<TollgateServer> StartAsync(string assembly, string dataDir, string logDir, Uri mock,
        IEnumerable<string> models, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var adminToken = "bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var process = ChildProcess.Start("tollgate", "dotnet", [assembly, "serve", "--data-dir", dataDir, "--urls", baseUrl.ToString().TrimEnd('/')],
            Path.Combine(logDir, "tollgate.log"), new Dictionary<string, string>(environment) { ["TOLLGATE_ADMIN_TOKEN"] = adminToken });
        await MockServer.WaitHealthyAsync(process, new Uri(baseUrl, "/readyz"), cancellationToken);

        var credentials = await File.ReadAllTextAsync(Path.Combine(dataDir, "demo-credentials.txt"), cancellationToken);
        var apiKey = DemoKey().Match(credentials) is { Success: true } match
            ? match.Value
            : throw new InvalidOperationException($"no demo API key in {dataDir}/demo-credentials.txt");
        var admin = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var server = new TollgateServer(process, baseUrl, apiKey, admin);
        foreach (var model in models) await server.PutModelAsync(model, mock, cancellationToken);
        if (DemoCustomer().Match(credentials) is { Success: true } customer)
        {
            await server.TopUpAsync(customer.Value, cancellationToken);
            await server.LiftTierAsync(customer.Value, cancellationToken);
        }
        return server;
    }

    public Target AsTarget() =>
        new("tollgate", new Uri(BaseUrl, "/v1/chat/completions"), [new("Authorization", $"Bearer {ApiKey}")], Process, ModelFor);

    private async Task PutModelAsync(string model, Uri mock, CancellationToken cancellationToken)
    {
        var body = new PutModel("chat", "standard", 4096,
            [new PutBackend($"mock-{model}", "open_ai", new Uri(mock, "/v1").ToString(), new Rates("0.1", null, "0.4"))],
            new Rates("0.15", "0.075", "0.6"));
        using var response = await _admin.PutAsJsonAsync($"/admin/v1/models/{model}", body, BenchJson.Default.PutModel, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT /admin/v1/models/{model} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>
    /// The demo customer's $10 would run out after some 700,000 requests of this benchmark and turn
    /// the rest into refusals: a grant keeps a long run on the serving path. Builds without
    /// wallets answer 404 and need none.
    /// </summary>
    private async Task TopUpAsync(string customerId, CancellationToken cancellationToken)
    {
        using var response = await _admin.PostAsJsonAsync($"/admin/v1/customers/{customerId}/grants",
            new GrantRequest("100000", "promotional", "benchmark"), BenchJson.Default.GrantRequest, cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound)
            throw new InvalidOperationException($"granting credit to {customerId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>
    /// The demo customer starts in the free spend tier, whose rate limits and $100 monthly cap a
    /// load test passes in seconds: the top tier by override, and customer rate limits far above
    /// any load here, keep the run on the serving path (limits still checked on every request).
    /// Builds without tiers answer 404 and need neither.
    /// </summary>
    private async Task LiftTierAsync(string customerId, CancellationToken cancellationToken)
    {
        using var tier = await _admin.PutAsync($"/admin/v1/customers/{customerId}/tier", Json("""{"level":5,"note":"benchmark"}"""), cancellationToken);
        if (tier.StatusCode == System.Net.HttpStatusCode.NotFound) return;
        if (!tier.IsSuccessStatusCode)
            throw new InvalidOperationException($"setting the tier of {customerId} answered {(int)tier.StatusCode}: {await tier.Content.ReadAsStringAsync(cancellationToken)}");
        using var limits = await _admin.PatchAsync($"/admin/v1/customers/{customerId}",
            Json("""{"rate_limits":{"requests_per_minute":1000000000,"tokens_per_minute":2000000000}}"""), cancellationToken);
        if (!limits.IsSuccessStatusCode)
            throw new InvalidOperationException($"setting the rate limits of {customerId} answered {(int)limits.StatusCode}: {await limits.Content.ReadAsStringAsync(cancellationToken)}");
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

    [GeneratedRegex(@"tg_[a-z0-9]{12}_[A-Za-z0-9]{40}")]
    private static partial Regex DemoKey();

    [GeneratedRegex(@"cus_[a-z0-9]+")]
    private static partial Regex DemoCustomer();
}

internal sealed record Rates(string Input, string? CachedInput, string Output);

internal sealed record PutBackend(string Id, string Kind, string BaseUrl, Rates Cost);

internal sealed record PutModel(string Kind, string Tier, int MaxOutputTokens, PutBackend[] Backends, Rates Price);

internal sealed record GrantRequest(string Amount, string Kind, string Note);

internal sealed record UsagePage(IReadOnlyList<UsageRow> Data, bool HasMore);

internal sealed record UsageRow(string RequestId, DateTimeOffset CompletedAt, string Status);

internal sealed record UsageSummary(IReadOnlyList<UsageSummaryRow> Data);

internal sealed record UsageSummaryRow(string Group, long Requests);
