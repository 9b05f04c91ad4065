using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Billing;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Invoicing;

/// <summary>
/// A Tollgate on a fake clock with one model served by the stub upstream (whose usage numbers the
/// test sets), and the admin calls invoicing tests need.
/// </summary>
internal sealed class InvoiceScene : IAsyncDisposable
{
    public const string Model = "m";
    private const string Route = "invoicing";

    private InvoiceScene(FakeTimeProvider time, TollgateFactory app, StubUpstream upstream)
    {
        Time = time;
        App = app;
        Upstream = upstream;
        Admin = app.AdminClient();
    }

    public FakeTimeProvider Time { get; }
    public TollgateFactory App { get; }
    public StubUpstream Upstream { get; }
    public HttpClient Admin { get; }

    /// <summary>Starts on <paramref name="start"/> with model <c>m</c> priced at the given rates per 1M tokens.</summary>
    public static async Task<InvoiceScene> StartAsync(DateTimeOffset start, string input = "2", string cachedInput = "0.5", string output = "8", string requestFee = "0",
        bool tiers = false, string? database = null)
    {
        var time = new FakeTimeProvider(start);
        var upstream = await StubUpstream.StartAsync();
        var app = new TollgateFactory(time, demo: false, database: database) { Tiers = tiers };
        var scene = new InvoiceScene(time, app, upstream);
        await scene.PriceAsync(input, cachedInput, output, requestFee);
        return scene;
    }

    /// <summary>Puts model <c>m</c> with these rates: a new price version whenever they change.</summary>
    public Task PriceAsync(string input, string cachedInput, string output, string requestFee = "0") =>
        Admin.SendAsync(HttpMethod.Put, $"/admin/v1/models/{Model}", $$"""
            {"kind":"chat","max_output_tokens":1000000,
             "backends":[{"id":"m-up","kind":"open_ai","base_url":"{{Upstream.BaseUrl(Route)}}","upstream_model":"up-model",
                          "cost":{"input":"0.1","output":"0.2"} }],
             "price":{"input":"{{input}}","cached_input":"{{cachedInput}}","output":"{{output}}","request_fee":"{{requestFee}}"} }
            """);

    public Task<JsonObject> GrantAsync(string customerId, string amount, string kind = "purchased", DateTimeOffset? expiresAt = null)
    {
        var expiry = expiresAt is { } at ? $",\"expires_at\":\"{at:O}\"" : "";
        return Admin.PostJsonAsync($"/admin/v1/customers/{customerId}/grants", $$"""{"amount":"{{amount}}","kind":"{{kind}}"{{expiry}}}""");
    }

    /// <summary>Records a payment; 201 when recorded, 200 when the reference was already recorded.</summary>
    public Task<JsonObject> PayAsync(JsonObject invoice, string amount, string reference, HttpStatusCode expected = HttpStatusCode.Created) =>
        Admin.PostJsonAsync($"/admin/v1/invoices/{invoice.Id()}/payments", $$"""{"amount":"{{amount}}","reference":"{{reference}}"}""", expected);

    /// <summary>Appends an adjustment, discount or credit note (positive amounts credit the customer).</summary>
    public Task<JsonObject> LedgerEntryAsync(string customerId, string kind, string amount, string note) =>
        Admin.PostJsonAsync($"/admin/v1/customers/{customerId}/ledger", $$"""{"kind":"{{kind}}","amount":"{{amount}}","note":"{{note}}"}""");

    public async Task<JsonObject> WalletAsync(string customerId) => await Admin.GetJsonAsync($"/admin/v1/customers/{customerId}/wallet");

    /// <summary>
    /// Stores a usage event of model <c>m</c> straight through the usage writer, charged at the price
    /// card in effect at <paramref name="completedAt"/>: how usage that arrives late (a stalled node) reaches the database.
    /// </summary>
    public async Task<decimal> RecordUsageAsync(string customerId, DateTimeOffset completedAt, TokenUsage tokens)
    {
        var snapshot = App.Services.GetRequiredService<CatalogState>().Current;
        var card = snapshot.Models[Model].PriceCardAt(completedAt) ?? throw new InvalidOperationException("no price card then");
        var charged = card.Rates.AmountFor(tokens);
        await App.Services.GetRequiredService<IUsageRecorder>().RecordAsync(new UsageEvent
        {
            RequestId = "req_late_" + Guid.NewGuid().ToString("N"),
            CustomerId = customerId,
            KeyId = snapshot.Keys.Values.First(k => k.CustomerId == customerId).Id,
            ModelId = Model,
            BackendId = "m-up",
            PriceVersion = card.Version,
            Tokens = tokens,
            ListAmount = charged,
            ChargedAmount = charged,
            CostToServe = 0m,
            Status = UsageStatus.Completed,
            Source = UsageSource.Backend,
            Streamed = false,
            LatencyMs = 10,
            StartedAt = completedAt.AddMilliseconds(-10),
            CompletedAt = completedAt,
        });
        return charged;
    }

    public async Task<(string CustomerId, string Key)> CustomerAsync(string billingMode = "postpaid", string? creditLimit = null)
    {
        var limit = creditLimit is null ? "" : $",\"credit_limit\":\"{creditLimit}\"";
        var customer = await Admin.PostJsonAsync("/admin/v1/customers", $$"""{"name":"Acme","billing_mode":"{{billingMode}}"{{limit}}}""");
        var key = (await Admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        return (customer.Id(), key);
    }

    /// <summary>One chat request whose backend reports exactly these token counts (the prompt is padded so they are plausible).</summary>
    public async Task ChatAsync(string key, int input, int output, int cached = 0)
    {
        Upstream.On(Route, Stub.Completion(Stub.Usage(input, output, cached)));
        using var client = App.ApiClient(key);
        // The gateway trusts reported input only up to the request's size in bytes, and output up to max_tokens.
        // Short words, so counting its tokens (the distillation watch, an exact reservation) is linear: one long run of
        // a single letter is a tokenizer's worst case and made each such request take seconds.
        var prompt = string.Concat(Enumerable.Repeat("a ", input / 2)) + (input % 2 == 1 ? "a" : "");
        using var response = await client.PostAsync("/v1/chat/completions",
            TollgateCalls.JsonBody($$"""{"model":"m","max_tokens":{{Math.Max(output, 1)}},"messages":[{"role":"user","content":"{{prompt}}"}]}"""));
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"chat failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Runs the period through the admin API and waits for the run to complete.</summary>
    public async Task<JsonObject> RunAsync(string period, bool finalize, string? customerId = null)
    {
        var customer = customerId is null ? "" : $",\"customer_id\":\"{customerId}\"";
        var run = await Admin.PostJsonAsync("/admin/v1/invoice-runs", $$"""{"period":"{{period}}","finalize":{{(finalize ? "true" : "false")}}{{customer}}}""",
            HttpStatusCode.Accepted);
        for (var i = 0; i < 500 && run["status"]!.GetValue<string>() == "running"; i++)
        {
            await Task.Delay(20);
            run = await Admin.GetJsonAsync($"/admin/v1/invoice-runs/{run.Id()}");
        }
        return run;
    }

    public async Task<JsonObject> InvoiceAsync(string customerId, string period)
    {
        var list = await Admin.GetJsonAsync($"/admin/v1/invoices?customer_id={customerId}&period={period}");
        var open = list.Data().Single(i => i!["status"]!.GetValue<string>() != "void")!;
        return await Admin.GetJsonAsync($"/admin/v1/invoices/{open["id"]!.GetValue<string>()}");
    }

    /// <summary>A connection of the test's own to the database file, for reading (and tampering with) rows directly.</summary>
    public async Task<SqliteConnection> OpenDatabaseAsync()
    {
        var connection = new SqliteConnection($"Data Source={App.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    public async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = await OpenDatabaseAsync();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public static decimal Amount(JsonNode? node, string field) => Money.Parse(node![field]!.GetValue<string>());

    public static string Text(JsonNode? node, string field) => node![field]!.GetValue<string>();

    /// <summary>The invoice's lines as (kind, token class or null, rounded amount or exact amount while a draft).</summary>
    public static (string Kind, string? TokenClass, decimal Amount)[] Lines(JsonObject invoice) =>
        [.. invoice["lines"]!.AsArray().Select(l => (Text(l, "kind"), l!["token_class"]?.GetValue<string>(),
            l["rounded_amount"] is null ? Amount(l, "amount") : Amount(l, "rounded_amount")))];

    /// <summary>The end of October 2026 (plus a few seconds): when its invoices can be finalized.</summary>
    public static readonly DateTimeOffset NovemberFirst = new(2026, 11, 1, 0, 0, 5, TimeSpan.Zero);

    public static readonly DateTimeOffset DecemberFirst = new(2026, 12, 1, 0, 0, 5, TimeSpan.Zero);

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
