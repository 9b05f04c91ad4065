using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Billing;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Invoicing;

namespace Tollgate.Tests.Economics;

/// <summary>
/// A month of business on model <c>m</c> (priced $2 in / $0.50 cached / $8 out per 1M), seeded on
/// 1 October 2026: a pay-as-you-go customer, two subscribers of a $31 plan (so a dollar a day), and a
/// prepaid customer paying partly with promotional credit.
/// </summary>
internal sealed class EconomicsScene : IAsyncDisposable
{
    public static readonly DateTimeOffset October = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Oct3Noon = October.AddDays(2.5);

    private EconomicsScene(InvoiceScene scene) => Scene = scene;

    public InvoiceScene Scene { get; }

    public HttpClient Admin => Scene.Admin;

    public string PayAsYouGo { get; private set; } = "";

    public string Subscriber { get; private set; } = "";

    public string HeavySubscriber { get; private set; } = "";

    public string Promoted { get; private set; } = "";

    public static async Task<EconomicsScene> StartAsync()
    {
        var economics = new EconomicsScene(await InvoiceScene.StartAsync(October));
        await economics.SeedAsync();
        return economics;
    }

    private async Task SeedAsync()
    {
        await Admin.SendAsync(HttpMethod.Put, "/admin/v1/plans/pro", """
            {"name":"Pro","monthly_price":"31","models":["m"],"windows":[{"name":"month","kind":"calendar","size":100000}],
             "model_weights":{},"unit_size":1000,"overage":"metered"}
            """);
        (PayAsYouGo, _) = await Scene.CustomerAsync();
        (Subscriber, _) = await Scene.CustomerAsync();
        (HeavySubscriber, _) = await Scene.CustomerAsync();
        (Promoted, _) = await Scene.CustomerAsync("prepaid");
        foreach (var customer in new[] { Subscriber, HeavySubscriber })
            await Admin.PostJsonAsync($"/admin/v1/customers/{customer}/subscription", """{"plan_id":"pro"}""");
        await Scene.GrantAsync(Promoted, "100");
        await Scene.GrantAsync(Promoted, "3", "promotional");

        // $10 and $5 at list price ($2 in, $8 out per 1M); subscribers' usage is inside the allowance.
        await RecordAsync(PayAsYouGo, Oct3Noon, new TokenUsage(1_000_000, 0, 1_000_000), cost: 4m);
        await RecordAsync(PayAsYouGo, Oct3Noon, new TokenUsage(500_000, 0, 500_000), cost: 1m);
        await RecordAsync(Subscriber, Oct3Noon, new TokenUsage(500_000, 0, 500_000), cost: 2m, charged: 0m);
        await RecordAsync(Promoted, Oct3Noon, new TokenUsage(500_000, 0, 500_000), cost: 1m);
        await RecordAsync(HeavySubscriber, October.AddDays(4), new TokenUsage(5_000_000, 0, 5_000_000), cost: 40m, charged: 0m);
    }

    /// <summary>Stores a usage event of <c>m</c> through the usage writer, as the gateway would: charged at list price unless told.</summary>
    public async Task RecordAsync(string customerId, DateTimeOffset completedAt, TokenUsage tokens, decimal cost, decimal? charged = null)
    {
        var snapshot = Scene.App.Services.GetRequiredService<CatalogState>().Current;
        var card = snapshot.Models[InvoiceScene.Model].PriceCardAt(completedAt)!;
        var list = card.Rates.AmountFor(tokens);
        await Scene.App.Services.GetRequiredService<IUsageRecorder>().RecordAsync(new UsageEvent
        {
            RequestId = "req_" + Guid.NewGuid().ToString("N"),
            CustomerId = customerId,
            KeyId = snapshot.Keys.Values.First(k => k.CustomerId == customerId).Id,
            ModelId = InvoiceScene.Model,
            BackendId = "m-up",
            PriceVersion = card.Version,
            Tokens = tokens,
            Units = charged == 0 ? 1 : 0,
            ListAmount = list,
            ChargedAmount = charged ?? list,
            CostToServe = cost,
            Status = UsageStatus.Completed,
            Source = UsageSource.Backend,
            Streamed = false,
            LatencyMs = 10,
            StartedAt = completedAt.AddMilliseconds(-10),
            CompletedAt = completedAt,
        });
    }

    public Task<JsonObject> GetAsync(string path, HttpStatusCode expected = HttpStatusCode.OK) => Admin.SendAsync(HttpMethod.Get, path, null, expected);

    public static decimal Amount(JsonNode? node, string field) => Money.Parse(node![field]!.GetValue<string>());

    public ValueTask DisposeAsync() => Scene.DisposeAsync();
}
