using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Billing;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Budgets;

/// <summary>
/// Grants at the edges: requests settled out of the order they started in, a restart between a
/// grant's expiry and the job that writes it off, a grant made while a request is in flight. A
/// prepaid wallet must never spend credit twice nor fall below zero.
/// </summary>
public sealed class GrantExpiryEdgeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 10, 12, 0, 0, TimeSpan.Zero);
    private const string Body = """{"model":"m","max_tokens":20,"messages":[{"role":"user","content":"spend"}]}""";
    private readonly FakeTimeProvider _time = new(T0);
    private readonly TollgateFactory _app;

    public GrantExpiryEdgeTests() => _app = new TollgateFactory(_time, demo: false);

    public async Task InitializeAsync()
    {
        using var admin = _app.AdminClient();
        await PutModelAsync(admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static Task PutModelAsync(HttpClient admin) => admin.SendAsync(HttpMethod.Put, "/admin/v1/models/m", """
        {"kind":"chat","max_output_tokens":100,"backends":[{"id":"m-sim","kind":"simulator"}],"price":{"input":"100","output":"200"}}
        """);

    [Fact]
    public async Task ExpireDue_RequestsSettledOutOfStartOrder_WalletNeverSpendsExpiredCreditNorGoesNegative()
    {
        // P: promotional $1 expiring at T0 + 1 d; Q: purchased $1 expiring at T0 + 2 d; R: promotional $1 made at T0 + 1 h, never expiring.
        // A starts at T0 + 30 min, B at T0 + 2 h, each charged $1; B completes first.
        // Books (replay by start): A takes P, B takes R, so Q still holds $1 when it expires: usable after T0 + 2 d = $0.
        // Ledger: +3 (grants) − 1 (A) − 1 (B) − 1 (Q's expiry) = $0: nothing may be spent after T0 + 2 d, before the
        // expiry job has run (here it never runs on its own: this node is not the leader) as after.
        var time = new FakeTimeProvider(T0);
        await using var node = new TollgateFactory(time, demo: false);
        await using var app = node.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<Tollgate.Hosting.ILeadership, Follower>()));
        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", TollgateFactory.AdminToken);
        await PutModelAsync(admin);
        var customerId = (await admin.CreateCustomerAsync()).Id();
        await GrantAsync(admin, customerId, "1", "promotional", T0.AddDays(1));
        await GrantAsync(admin, customerId, "1", "purchased", T0.AddDays(2));
        await admin.PostJsonAsync($"/admin/v1/customers/{customerId}/keys", "{}");
        var snapshot = app.Services.GetRequiredService<CatalogState>().Current;
        var (customer, key) = (snapshot.Customers[customerId], snapshot.Keys.Values.Single(k => k.CustomerId == customerId));
        var accounts = app.Services.GetRequiredService<Accounts>();

        var startedA = T0.AddMinutes(30);
        time.SetUtcNow(startedA);
        var heldA = accounts.TryReserve(customer, key, 1m, startedA, out _)!;
        time.SetUtcNow(T0.AddHours(1));
        await GrantAsync(admin, customerId, "1", "promotional", null);
        var startedB = T0.AddHours(2);
        time.SetUtcNow(startedB);
        var heldB = accounts.TryReserve(customer, key, 1m, startedB, out _)!;
        time.SetUtcNow(T0.AddHours(3));
        await RecordAsync(app.Services, time, customerId, key.Id, "req_b", 1m, startedB);
        heldB.Settle(1m, time.GetUtcNow());
        await RecordAsync(app.Services, time, customerId, key.Id, "req_a", 1m, startedA);
        heldA.Settle(1m, time.GetUtcNow());

        time.SetUtcNow(T0.AddDays(2).AddSeconds(1));
        var availableBeforeJob = accounts.WalletView(customerId)!.Available;
        var heldC = accounts.TryReserve(customer, key, 1m, time.GetUtcNow(), out _);
        if (heldC is not null)
        {
            await RecordAsync(app.Services, time, customerId, key.Id, "req_c", 1m, time.GetUtcNow());
            heldC.Settle(1m, time.GetUtcNow());
        }
        await app.Services.GetRequiredService<GrantExpiryService>().ExpireDueAsync(CancellationToken.None);
        var ledger = (await admin.GetJsonAsync($"/admin/v1/customers/{customerId}/ledger?limit=100")).Data();

        Assert.Equal(0m, availableBeforeJob);
        Assert.Null(heldC);
        Assert.Equal(0m, ledger.Sum(e => Money.Parse(e!["amount"]!.GetValue<string>())));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public async Task Chat_RestartBetweenExpiryAndTheJob_ExpiredCreditStillRefused(int millisecondsAfterExpiry)
    {
        // A promotional $1 expiring at T and nothing else: after a restart at T (+300 ms) the wallet has $0 it may spend.
        var dataDir = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"));
        var expiresAt = T0.AddDays(1);
        string customerId, key;
        decimal spent;
        await using (var first = new TollgateFactory(_time, demo: false, dataDir: dataDir) { KeepDataDir = true })
        {
            using var admin = first.AdminClient();
            await PutModelAsync(admin);
            customerId = (await admin.CreateCustomerAsync()).Id();
            await GrantAsync(admin, customerId, "1", "promotional", expiresAt);
            key = (await admin.PostJsonAsync($"/admin/v1/customers/{customerId}/keys", "{}"))["key"]!.GetValue<string>();
            _time.SetUtcNow(expiresAt.AddMilliseconds(-1));
            using var client = first.ApiClient(key);
            using var before = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            spent = Assert.Single(await first.UsageAsync()).ChargedAmount;
        }

        _time.SetUtcNow(expiresAt.AddMilliseconds(millisecondsAfterExpiry));
        await using var restarted = new TollgateFactory(_time, demo: false, dataDir: dataDir);
        using var again = restarted.AdminClient();
        using var api = restarted.ApiClient(key);
        using var after = await api.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));
        var shown = await again.GetJsonAsync($"/admin/v1/customers/{customerId}/wallet");
        await restarted.Services.GetRequiredService<GrantExpiryService>().ExpireDueAsync(CancellationToken.None);
        var ledger = (await again.GetJsonAsync($"/admin/v1/customers/{customerId}/ledger?limit=100")).Data();

        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode);
        Assert.Equal(0m, Money.Parse(shown["balance"]!.GetValue<string>()));
        // Expiry entry: −(1 − spent); ledger: +1 − spent − (1 − spent) = 0.
        Assert.Contains(ledger, e => e!["kind"]!.GetValue<string>() == "expiry" && Money.Parse(e["amount"]!.GetValue<string>()) == -(1m - spent));
        Assert.Equal(0m, ledger.Sum(e => Money.Parse(e!["amount"]!.GetValue<string>())));
        Assert.Equal(0m, restarted.Services.GetRequiredService<Accounts>().WalletView(customerId)!.Available);
    }

    [Fact]
    public async Task TryReserve_GrantMadeWhileARequestIsInFlight_DoesNotFundThatRequest()
    {
        // $1 purchased at T0. A starts at T0 + 1 h and reserves $1; a $5 grant is made at T0 + 1 h + 1 ms.
        // A second request dated at A's start (a retry of the same funding instant) may use only what existed then:
        // $1 − $1 reserved = $0. A request started after the grant may use $1 + $5 − $1 reserved = $5, not $5.000001.
        using var admin = _app.AdminClient();
        var customerId = (await admin.CreateCustomerAsync()).Id();
        await GrantAsync(admin, customerId, "1", "purchased", null);
        await admin.PostJsonAsync($"/admin/v1/customers/{customerId}/keys", "{}");
        var (customer, key) = Entries(customerId);
        var accounts = _app.Services.GetRequiredService<Accounts>();
        var started = T0.AddHours(1);
        _time.SetUtcNow(started);
        var held = accounts.TryReserve(customer, key, 1m, started, out _);
        _time.SetUtcNow(started.AddMilliseconds(1));
        await GrantAsync(admin, customerId, "5", "purchased", null);

        var sameInstant = accounts.TryReserve(customer, key, 0.000001m, started, out _);
        var later = _time.GetUtcNow();
        var tooMuch = accounts.TryReserve(customer, key, 5.000001m, later, out _);
        var exactly = accounts.TryReserve(customer, key, 5m, later, out _);

        Assert.NotNull(held);
        Assert.Null(sameInstant);
        Assert.Null(tooMuch);
        Assert.NotNull(exactly);
        held!.Release();
        exactly!.Release();
    }

    [Fact]
    public async Task ExpireDue_GrantAddedWhileARequestStartedBeforeExpiryIsInFlight_ExpiryWaitsAndIsTheExactRest()
    {
        // P: promotional $1 expiring at T. A starts at T − 1 ms (reserves $0.5); at T + 1 min a purchased $2 grant arrives;
        // the job runs while A is in flight (writes nothing for P), A completes at T + 5 min charged $0.3 (from P, usable at its start).
        // P's expiry entry: −(1 − 0.3) = −0.7. Balance: 1 + 2 − 0.3 − 0.7 = $2, all of it the new grant.
        using var admin = _app.AdminClient();
        var customerId = (await admin.CreateCustomerAsync()).Id();
        var expiresAt = T0.AddDays(1);
        await GrantAsync(admin, customerId, "1", "promotional", expiresAt);
        await admin.PostJsonAsync($"/admin/v1/customers/{customerId}/keys", "{}");
        var (customer, key) = Entries(customerId);
        var accounts = _app.Services.GetRequiredService<Accounts>();
        var expiry = _app.Services.GetRequiredService<GrantExpiryService>();
        var started = expiresAt.AddMilliseconds(-1);
        _time.SetUtcNow(started);
        var held = accounts.TryReserve(customer, key, 0.5m, started, out _)!;
        _time.SetUtcNow(expiresAt.AddMinutes(1));
        await GrantAsync(admin, customerId, "2", "purchased", null);
        await expiry.ExpireDueAsync(CancellationToken.None);
        var whileInFlight = (await admin.GetJsonAsync($"/admin/v1/customers/{customerId}/ledger?limit=100")).Data();

        _time.SetUtcNow(expiresAt.AddMinutes(5));
        await RecordAsync(_app.Services, _time, customerId, key.Id, "req_inflight", 0.3m, started);
        held.Settle(0.3m, _time.GetUtcNow());
        await expiry.ExpireDueAsync(CancellationToken.None);
        var ledger = (await admin.GetJsonAsync($"/admin/v1/customers/{customerId}/ledger?limit=100")).Data();
        var wallet = await admin.GetJsonAsync($"/admin/v1/customers/{customerId}/wallet");

        Assert.DoesNotContain(whileInFlight, e => e!["kind"]!.GetValue<string>() == "expiry");
        Assert.Equal(-0.7m, Money.Parse(Assert.Single(ledger, e => e!["kind"]!.GetValue<string>() == "expiry")!["amount"]!.GetValue<string>()));
        Assert.Equal(2m, Money.Parse(wallet["balance"]!.GetValue<string>()));
        Assert.Equal(2m, accounts.WalletView(customerId)!.Available);
    }

    private static Task<JsonObject> GrantAsync(HttpClient admin, string customerId, string amount, string kind, DateTimeOffset? expiresAt)
    {
        var expiry = expiresAt is { } at ? $",\"expires_at\":\"{at:O}\"" : "";
        return admin.PostJsonAsync($"/admin/v1/customers/{customerId}/grants", $$"""{"amount":"{{amount}}","kind":"{{kind}}"{{expiry}}}""");
    }

    private (CustomerEntry Customer, KeyEntry Key) Entries(string customerId)
    {
        var snapshot = _app.Services.GetRequiredService<CatalogState>().Current;
        return (snapshot.Customers[customerId], snapshot.Keys.Values.Single(k => k.CustomerId == customerId));
    }

    /// <summary>A request's usage event (and its ledger debit, dated when it started), as the settle stage writes it.</summary>
    private static Task RecordAsync(IServiceProvider services, TimeProvider time, string customerId, string keyId, string requestId, decimal charged,
        DateTimeOffset startedAt) =>
        services.GetRequiredService<IUsageRecorder>().RecordAsync(new UsageEvent
        {
            RequestId = requestId, CustomerId = customerId, KeyId = keyId, ModelId = "m", BackendId = "m-sim", PriceVersion = null,
            Tokens = new Tollgate.Billing.Pricing.TokenUsage(10, 0, 10, 0), ListAmount = charged, ChargedAmount = charged, CostToServe = 0m,
            Status = UsageStatus.Completed, Source = UsageSource.Backend, Streamed = false, LatencyMs = 10,
            StartedAt = startedAt, CompletedAt = time.GetUtcNow(),
        }).AsTask();

    /// <summary>A node that never leads: periodic jobs on the shared books (the grant expiry) do not run by themselves.</summary>
    private sealed class Follower : Tollgate.Hosting.ILeadership
    {
        public bool IsLeader => false;
    }
}
