using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Storage;

/// <summary>What Redis's copy of the books is seeded from: one customer's figures at one PostgreSQL snapshot.</summary>
[RequiresService(TestPostgres.Variable)]
public sealed class PostgresLedgerSnapshotsTests : IAsyncLifetime
{
    private TestPostgres _database = null!;
    private TollgateFactory _node = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        _node = new TollgateFactory(demo: true, database: _database.ConnectionString);
        _ = _node.Boot;
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _database.DisposeAsync();
    }

    [ServiceFact]
    public async Task ReadAsync_SpendAndAGrantStillToExpire_FiguresAndWhatTheGrantTakesWithIt()
    {
        using var api = _node.ApiClient(_node.DemoApiKey);
        using (var chat = await api.PostAsync("/v1/chat/completions", JsonBody("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}""")))
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        var usage = Assert.Single(await _node.UsageAsync());
        var customer = _node.Services.GetRequiredService<CatalogState>().Current.Customers[usage.CustomerId];
        var balance = (await _node.Services.GetRequiredService<IWalletStore>().ReplayAsync(customer.Id, DateTimeOffset.UtcNow)).Remaining.Values.Sum();
        using var admin = _node.AdminClient();
        var expires = DateTimeOffset.UtcNow.AddDays(3);
        using (var grant = await admin.PostAsync($"/admin/v1/customers/{customer.Id}/grants",
            JsonBody($$"""{"amount":"2.5","kind":"promotional","expires_at":"{{expires:O}}"}""")))
            Assert.Equal(HttpStatusCode.Created, grant.StatusCode);
        var ledger = _node.Services.GetRequiredService<ILedgerSnapshots>();

        var now = DateTimeOffset.UtcNow;
        var figures = await ledger.ReadAsync([customer.Id], new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), now);
        var (changed, snapshot) = await ledger.ChangedSinceAsync(null);
        var (none, _) = await ledger.ChangedSinceAsync(snapshot);

        // What the demo credit left after the request, plus the grant, which nothing has spent yet.
        Assert.Equal(balance + 2.5m, figures.Balances[customer.Id]);
        Assert.Equal(usage.ChargedAmount, figures.CustomerMonthSpend[customer.Id]);
        Assert.Equal(usage.ChargedAmount, figures.KeyLifetimeSpend[usage.KeyId]);
        var (at, amount) = Assert.Single(figures.Expiring[customer.Id]);
        Assert.Equal((expires.ToUnixTimeMilliseconds(), 2.5m), (at.ToUnixTimeMilliseconds(), amount));
        Assert.Matches(@"^\d+:\d+:[\d,]*$", figures.Snapshot);
        Assert.Contains(customer.Id, changed);
        Assert.Empty(none);
    }
}
