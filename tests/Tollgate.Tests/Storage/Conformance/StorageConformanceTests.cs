using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Pricing;
using Tollgate.Billing.Wallets;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Webhooks;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Storage.Conformance;

/// <summary>
/// One behaviour for every storage backend: each subclass runs these tests on its own database.
/// They go through the store interfaces (and the admin API where that is the natural path), never
/// through a backend's tables, so a new backend passes by behaving, not by looking alike.
/// </summary>
public abstract class StorageConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);
    private static readonly DateTimeOffset October = new(2026, 10, 1, 8, 0, 0, TimeSpan.Zero);
    private TollgateFactory? _app;

    /// <summary>The connection string of a fresh database for one test, or null for the embedded SQLite file.</summary>
    protected abstract Task<string?> CreateDatabaseAsync();

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    protected string? Database { get; private set; }

    internal TollgateFactory App => _app ??= new TollgateFactory(database: Database);

    public async Task InitializeAsync() => Database = await CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await DropDatabaseAsync();
    }

    private T Store<T>() where T : notnull => App.Services.GetRequiredService<T>();

    [ServiceFact]
    public async Task DemoBootstrap_ChatServed_BookedOnceAgainstTheWallet()
    {
        using var api = App.ApiClient();
        var before = await BalanceAsync(api);

        using var response = await api.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = Assert.Single(await App.UsageAsync());
        Assert.True(usage.ChargedAmount > 0);
        var ledger = await Store<IInvoiceStore>().LedgerAsync(usage.CustomerId, new Page(100, null));
        Assert.Equal(-usage.ChargedAmount, Assert.Single(ledger.Items, e => e.Kind == LedgerEntryKind.Usage).Amount);
        Assert.Equal(before - usage.ChargedAmount, await BalanceAsync(api));
        // The demo's enterprise contract and gate rule, written through the contract store, are in the snapshot.
        var snapshot = await Store<ICatalogStore>().LoadSnapshotAsync();
        Assert.NotEmpty(snapshot.Contracts);
        Assert.NotEmpty(snapshot.GateRules);
    }

    [ServiceFact]
    public async Task UsageRecorder_DuplicatesAndFreeRequests_EachStoredOnceWithOneLedgerEntryPerCharge()
    {
        var recorder = Store<IUsageRecorder>();
        await recorder.RecordAsync(Event("req_first", 0.5m));
        await Task.WhenAll(
            recorder.RecordAsync(Event("req_first", 9m)).AsTask(),
            recorder.RecordAsync(Event("req_twice", 0.25m)).AsTask(),
            recorder.RecordAsync(Event("req_twice", 7m)).AsTask(),
            recorder.RecordAsync(Event("req_free", 0m)).AsTask());

        var stored = (await App.UsageAsync()).ToDictionary(u => u.RequestId, u => u.ChargedAmount);
        Assert.Equal(new Dictionary<string, decimal> { ["req_first"] = 0.5m, ["req_twice"] = 0.25m, ["req_free"] = 0m }, stored);
        var ledger = await Store<IInvoiceStore>().LedgerAsync(DemoCustomer, new Page(100, null));
        Assert.Equal(new[] { ("req_first", -0.5m), ("req_twice", -0.25m) },
            ledger.Items.Where(e => e.Kind == LedgerEntryKind.Usage).Select(e => (e.Reference, e.Amount)).Order());
    }

    [ServiceFact]
    public async Task UsageQueries_EventReadBackFieldForField_AndTotalsExactInDecimal()
    {
        var full = Event("req_full", 0.000123456789m) with
        {
            Tokens = new TokenUsage(1200, 300, 450, 50),
            Units = 2,
            ListAmount = 0.0002m,
            CostToServe = 0.00004321m,
            Status = UsageStatus.ClientCancelled,
            Source = UsageSource.Tokenizer,
            Streamed = true,
            TimeToFirstTokenMs = 17,
        };
        await Store<IUsageRecorder>().RecordAsync(full);
        await Store<IUsageRecorder>().RecordAsync(Event("req_tenth", 0.1m) with { CompletedAt = At.AddSeconds(1) });
        await Store<IUsageRecorder>().RecordAsync(Event("req_fifth", 0.2m) with { CompletedAt = At.AddSeconds(2) });

        var events = await Store<IUsageQueries>().ListAsync(new UsageFilter(CustomerId: DemoCustomer, Limit: 2));
        var next = await Store<IUsageQueries>().ListAsync(new UsageFilter(CustomerId: DemoCustomer, Limit: 2, StartingAfter: events[^1].RequestId));
        var totals = Assert.Single(await Store<IUsageQueries>().SummarizeAsync(new UsageFilter(CustomerId: DemoCustomer), UsageGrouping.Model));

        Assert.Equal(["req_fifth", "req_tenth"], events.Select(e => e.RequestId));
        Assert.Equal(full, Assert.Single(next));
        // Floating point would make 0.1 + 0.2 + 0.000123456789 inexact.
        Assert.Equal(0.300123456789m, totals.ChargedAmount);
        Assert.Equal(3, totals.Requests);
        Assert.Equal(1400, totals.InputTokens);
    }

    [ServiceFact]
    public async Task AdminChange_BumpsTheCatalogVersion_AndIsAuditedNewestFirst()
    {
        var version = await Store<ICatalogStore>().GetVersionAsync();
        using var admin = App.AdminClient();

        var customer = await admin.PostJsonAsync("/admin/v1/customers", """{"name":"Audited"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", """{"name":"k"}""");

        Assert.Equal(version + 2, await Store<ICatalogStore>().GetVersionAsync());
        var audit = await Store<IAuditLog>().ListAsync(new AuditFilter(), new Page(1, null));
        Assert.Equal("key.create", Assert.Single(audit.Items).Action);
        var forCustomer = await Store<IAuditLog>().ListAsync(new AuditFilter("customer", customer.Id()), new Page(10, null));
        Assert.Equal("customer.create", Assert.Single(forCustomer.Items).Action);
        var snapshot = await Store<ICatalogStore>().LoadSnapshotAsync();
        Assert.Equal(version + 2, snapshot.Version);
        Assert.Contains(customer.Id(), snapshot.Customers.Keys);
        await Store<ICatalogStore>().SetSettingAsync("conformance", "one");
        await Store<ICatalogStore>().SetSettingAsync("conformance", "two");
        Assert.Equal("two", await Store<ICatalogStore>().GetSettingAsync("conformance"));
    }

    [ServiceFact]
    public async Task Keys_RevokedAndRotated_RefusedAndPagedInCreationOrder()
    {
        var first = await App.CreateKeyAsync();
        var second = await App.CreateKeyAsync();
        using var admin = App.AdminClient();

        await admin.PostJsonAsync($"/admin/v1/keys/{first.Id}/revoke", "{}", HttpStatusCode.OK);
        var rotated = await admin.PostJsonAsync($"/admin/v1/keys/{second.Id}/rotate", "{}", HttpStatusCode.OK);

        using (var revoked = App.ApiClient(first.Secret)) Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/v1/models")).StatusCode);
        using (var replacement = App.ApiClient(rotated["key"]!.GetValue<string>())) Assert.Equal(HttpStatusCode.OK, (await replacement.GetAsync("/v1/models")).StatusCode);
        Assert.NotNull((await Store<ICustomerStore>().GetKeyAsync(first.Id))!.RevokedAt);
        var keys = Store<ICustomerStore>();
        var page = await keys.ListKeysAsync(null, new Page(2, null));
        var rest = await keys.ListKeysAsync(null, new Page(10, page.Items[^1].Id));
        var all = page.Items.Concat(rest.Items).ToList();
        Assert.True(page.HasMore);
        Assert.Equal(all.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).Select(k => k.Id), all.Select(k => k.Id));
        Assert.Equal(all.Count, all.Select(k => k.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(all, k => k.Id == first.Id);
        Assert.Contains(all, k => k.Id == second.Id);
    }

    [ServiceFact]
    public async Task Idempotency_ClaimCompleteReplayRelease()
    {
        var store = Store<IIdempotencyStore>();

        Assert.Null(await store.ClaimAsync("tok_a", "k1", "hash1", At));
        var inFlight = await store.ClaimAsync("tok_a", "k1", "hash1", At);
        await store.CompleteAsync("tok_a", "k1", 201, "application/json", "{}"u8.ToArray());
        var done = await store.ClaimAsync("tok_a", "k1", "hash2", At);
        Assert.Null(await store.ClaimAsync("tok_a", "k2", "hash3", At));
        await store.ReleaseAsync("tok_a", "k2");
        await store.ReleaseAsync("tok_a", "k1");

        Assert.Equal(new StoredResponse("hash1", null, null, null), inFlight);
        Assert.Equal(201, done!.Status);
        Assert.Equal("{}"u8.ToArray(), done.Body);
        Assert.Null(await store.ClaimAsync("tok_a", "k2", "hash4", At));
        Assert.Equal("hash1", (await store.ClaimAsync("tok_a", "k1", "other", At))!.RequestHash);
    }

    [ServiceFact]
    public async Task AdminTokens_CreatedFoundRevokedListed()
    {
        var store = Store<IAdminTokenStore>();
        var audit = new AuditEntry("test", "admin_token.create", "admin_token", "atk_1", null, null, At);

        await store.CreateAsync(new AdminTokenRecord("atk_1", "ops", [1, 2, 3], ["read", "keys"], At, null), audit);
        await store.RevokeAsync("atk_1", At.AddHours(1), audit with { Action = "admin_token.revoke" });

        var found = await store.FindAsync("atk_1");
        Assert.True(await store.AnyAsync());
        Assert.Equal(["read", "keys"], found!.Scopes);
        Assert.Equal(new byte[] { 1, 2, 3 }, found.SecretHash);
        Assert.Equal(At.AddHours(1), found.RevokedAt);
        Assert.Contains((await store.ListAsync(new Page(100, null))).Items, t => t.Id == "atk_1");
    }

    [ServiceFact]
    public async Task PortalUsers_InvitationAcceptedOnce_EmailUniqueWhileActive_RemovedUserGone()
    {
        var store = Store<ICustomerUserStore>();
        var customer = DemoCustomer;
        var audit = new AuditEntry("test", "portal_invitation.create", "portal_invitation", "inv_a", null, null, At);
        PortalInvitationRecord Invitation(string id, string email) =>
            new(id, customer, email, CustomerUserRole.Developer, [9, 8, 7], "atk_ops", At, At.AddHours(1), null, null);
        CustomerUserRecord User(string id, string email) => new(id, customer, email, CustomerUserRole.Developer, "AQAAAAIAAYagAAAAE", At, null);
        await store.CreateInvitationAsync(Invitation("inv_a", "dev@example.com"), audit);
        await store.CreateInvitationAsync(Invitation("inv_b", "dev@example.com"), audit);
        await store.CreateInvitationAsync(Invitation("inv_late", "late@example.com"), audit);

        var first = await Task.WhenAll(
            store.AcceptInvitationAsync("inv_a", User("usr_1", "dev@example.com"), At, audit),
            store.AcceptInvitationAsync("inv_a", User("usr_2", "dev@example.com"), At, audit));
        var sameEmail = await store.AcceptInvitationAsync("inv_b", User("usr_3", "dev@example.com"), At, audit);
        var atExpiry = await store.AcceptInvitationAsync("inv_late", User("usr_4", "late@example.com"), At.AddHours(1), audit);

        Assert.Equal([InvitationAcceptance.Accepted, InvitationAcceptance.Spent], first.Order());
        Assert.Equal(InvitationAcceptance.EmailTaken, sameEmail);
        Assert.Equal(InvitationAcceptance.Spent, atExpiry);
        var accepted = await store.FindInvitationAsync("inv_a");
        Assert.Equal(At, accepted!.AcceptedAt);
        Assert.Equal(new byte[] { 9, 8, 7 }, accepted.SecretHash);
        Assert.Null((await store.FindInvitationAsync("inv_b"))!.AcceptedAt);
        var user = Assert.Single(await store.ListUsersAsync(customer));
        Assert.Equal(user, await store.FindUserByEmailAsync("dev@example.com"));
        Assert.Equal(["inv_late", "inv_b", "inv_a"], (await store.ListInvitationsAsync(customer)).Select(i => i.Id));

        await store.SetKeyOwnerAsync(App.Services.GetRequiredService<CatalogState>().Current.Keys.Values.First().Id, user.Id);
        Assert.Equal(user.Id, Assert.Single(await store.KeyOwnersAsync(customer)).Value);
        await store.RemoveUserAsync(user.Id, At.AddMinutes(5), audit with { Action = "customer_user.remove" });

        Assert.Empty(await store.ListUsersAsync(customer));
        Assert.Null(await store.FindUserByEmailAsync("dev@example.com"));
        Assert.Equal(At.AddMinutes(5), (await store.FindUserAsync(user.Id))!.RemovedAt);
        Assert.Equal(InvitationAcceptance.Accepted, await store.AcceptInvitationAsync("inv_b", User("usr_3", "dev@example.com"), At, audit));
    }

    [ServiceFact]
    public async Task Wallet_GrantPastItsExpiry_ExpiresOnceForWhatIsLeft()
    {
        var wallets = Store<IWalletStore>();
        var customer = await NewCustomerAsync();
        var audit = new AuditEntry("test", "grant.create", "customer", customer, null, null, At);
        await wallets.AddGrantAsync(customer, new Grant("gr_promo", GrantKind.Promotional, 5m, At, At.AddDays(1)), null, audit);
        await wallets.AddGrantAsync(customer, new Grant("gr_paid", GrantKind.Purchased, 10m, At.AddMilliseconds(1), null), "bought", audit);
        await Store<IUsageRecorder>().RecordAsync(Event("req_spend", 2m) with { CustomerId = customer, StartedAt = At.AddMinutes(59), CompletedAt = At.AddHours(1) });

        var expired = await wallets.ExpireDueAsync(At.AddDays(2));
        var again = await wallets.ExpireDueAsync(At.AddDays(3));

        // Promotional credit is spent first: 5 − 2 = 3 expire.
        Assert.Equal(new GrantExpiry(customer, "gr_promo", 3m), Assert.Single(expired));
        Assert.Empty(again);
        Assert.Equal(["gr_promo", "gr_paid"], (await wallets.ListGrantsAsync(customer)).Select(g => g.Id));
        var replay = await wallets.ReplayAsync(customer, At.AddDays(3));
        Assert.Equal(10m, replay.Remaining.Values.Sum());
        var totals = (await wallets.LoadTotalsAsync(BudgetPeriods.MonthStart(At), At.AddDays(3))).Totals;
        Assert.Equal(10m, totals.Balances[customer]);
        Assert.Equal(10m, (await Store<ITierStore>().LoadPaidAsync())[customer]);
    }

    [ServiceFact]
    public async Task Tiers_Override_SetReplacedCleared()
    {
        var customer = await NewCustomerAsync();
        var tiers = Store<ITierStore>();
        var audit = new AuditEntry("test", "tier.set", "customer", customer, null, null, At);

        await tiers.SetOverrideAsync(customer, new TierOverride(2, "vip", At), audit);
        await tiers.SetOverrideAsync(customer, new TierOverride(3, null, At.AddDays(1)), audit);
        var set = (await tiers.LoadOverridesAsync())[customer];
        await tiers.SetOverrideAsync(customer, null, audit);

        Assert.Equal(new TierOverride(3, null, At.AddDays(1)), set);
        Assert.DoesNotContain(customer, (await tiers.LoadOverridesAsync()).Keys);
    }

    [ServiceFact]
    public async Task Webhooks_EventFansOutToSubscribedEndpoints_AttemptsRecorded()
    {
        var store = Store<IWebhookStore>();
        var audit = new AuditEntry("test", "webhook.create", "webhook_endpoint", "we_1", null, null, At);
        await store.CreateEndpointAsync(new WebhookEndpoint("we_1", "https://example.test/a", null, ["invoice.finalized"], true, "whsec_one", At), audit);
        await store.CreateEndpointAsync(new WebhookEndpoint("we_2", "https://example.test/b", "other", ["flag.raised"], true, "whsec_two", At.AddMilliseconds(1)), audit);
        var first = new WebhookEvent("evt_1", "invoice.finalized", """{"a":1}""", At, "idem-1");
        var second = new WebhookEvent("evt_2", "invoice.finalized", """{"a":2}""", At, "idem-2");

        Assert.Equal(2, await store.AddEventsAsync([first, second], At));
        Assert.Equal(0, await store.AddEventsAsync([first with { Id = "evt_again" }], At));
        var due = await store.ListDueAsync(At.AddSeconds(1), 10);
        await store.RecordAttemptAsync(new AttemptOutcome(due[0].Id, new WebhookAttempt(1, At.AddSeconds(1), 500, "boom", 12), WebhookDeliveryStatus.Pending,
            At.AddMinutes(1)));

        Assert.Equal(2, due.Count);
        Assert.All(due, d => Assert.Equal("we_1", d.EndpointId));
        Assert.Equal(["whsec_one"], due[0].Secrets);
        Assert.Single(await store.ListDueAsync(At.AddSeconds(2), 10));
        Assert.Equal(new WebhookAttempt(1, At.AddSeconds(1), 500, "boom", 12), Assert.Single(await store.ListAttemptsAsync(due[0].Id)));
        var deliveries = await store.ListDeliveriesAsync(new DeliveryFilter(EndpointId: "we_1"), new Page(10, null));
        // Same instant: the latest stored first.
        Assert.Equal(["evt_2", "evt_1"], deliveries.Items.Select(d => d.EventId));
        Assert.Equal(["evt_2", "evt_1"], (await store.ListEventsAsync(null, new Page(10, null))).Items.Select(e => e.Id));
    }

    [ServiceFact]
    public async Task Invoices_MonthFinalizedNumberedPaid_LateUsageGoesToTheNextPeriod_Reconciles()
    {
        await using var scene = await StartAsync(October, database: Database);
        var (customer, key) = await scene.CustomerAsync();
        await scene.ChatAsync(key, input: 1_000, output: 100);
        await scene.ChatAsync(key, input: 2_000, output: 200);
        scene.Time.SetUtcNow(NovemberFirst);

        var run = await scene.RunAsync("2026-10", finalize: true);
        Assert.True(run["status"]!.GetValue<string>() == "succeeded", run.ToJsonString() + string.Join("\n", scene.App.Logs.Lines.Where(l => l.Contains("Exception", StringComparison.Ordinal)).Take(2)));
        var invoice = await scene.InvoiceAsync(customer, "2026-10");
        await scene.RunAsync("2026-10", finalize: true);
        var late = await scene.RecordUsageAsync(customer, new DateTimeOffset(2026, 10, 31, 23, 59, 0, TimeSpan.Zero), new TokenUsage(1_000_000, 0, 0));
        await scene.PayAsync(invoice, Text(invoice, "total"), "wire-1");
        await scene.PayAsync(invoice, Text(invoice, "total"), "wire-1", HttpStatusCode.OK);

        // 3,000 input × $2/M + 300 output × $8/M = $0.0084, rounded to the cent when finalized.
        Assert.Equal("finalized", Text(invoice, "status"));
        Assert.Equal(0.01m, Amount(invoice, "total"));
        Assert.False(string.IsNullOrEmpty(Text(invoice, "number")));
        var again = await scene.InvoiceAsync(customer, "2026-10");
        Assert.Equal(Text(invoice, "number"), Text(again, "number"));
        Assert.Equal("paid", Text(again, "status"));
        await scene.RunAsync("2026-11", finalize: false);
        Assert.Equal(late, Amount(await scene.InvoiceAsync(customer, "2026-11"), "total"));
        var report = await scene.App.Services.GetRequiredService<IReconciler>().ReconcileAsync(null);
        Assert.True(report.Agrees, string.Join("; ", report.Differences));
        Assert.Equal(0.0084m + late, report.Rows.Sum(r => r.Events));
    }

    [ServiceFact]
    public async Task ChatHistory_OptInSavedListedPerKey_DeletedAndErasedAfterRetention()
    {
        var store = Store<IChatHistoryStore>();
        var key = App.Services.GetRequiredService<CatalogState>().Current.Keys.Values.First();
        using var admin = App.AdminClient();
        var other = (await admin.PostJsonAsync($"/admin/v1/customers/{key.CustomerId}/keys", "{}"))["api_key"]!["id"]!.GetValue<string>();
        Assert.Null(await store.EnabledAtAsync(key.Id));

        await store.SetEnabledAsync(key.Id, key.CustomerId, At);
        await store.SetEnabledAsync(key.Id, key.CustomerId, At.AddDays(1));
        Assert.Equal(At, await store.EnabledAtAsync(key.Id));
        Assert.Null(await store.EnabledAtAsync(other));
        var first = new ChatConversation("conv_a", key.Id, key.CustomerId, "First", """[{"role":"user","content":"héllo"}]""", At, At, At.AddDays(30));
        Assert.True(await store.SaveAsync(first));
        Assert.True(await store.SaveAsync(first with { Id = "conv_b", Title = "Second", UpdatedAt = At.AddMinutes(1), ExpiresAt = At.AddDays(31) }));
        Assert.True(await store.SaveAsync(first with { Messages = "[]", UpdatedAt = At.AddMinutes(2), ExpiresAt = At.AddDays(32) }));
        // Another key can neither overwrite, read nor delete them.
        Assert.False(await store.SaveAsync(first with { KeyId = other, Messages = "[\"stolen\"]" }));
        Assert.Null(await store.GetAsync(other, "conv_a"));
        Assert.Equal(0, await store.DeleteAsync(other, "conv_a"));
        Assert.Empty(await store.ListAsync(other));

        var list = await store.ListAsync(key.Id);
        Assert.Equal(["conv_a", "conv_b"], list.Select(c => c.Id));
        Assert.Equal(first with { Messages = "[]", UpdatedAt = At.AddMinutes(2), ExpiresAt = At.AddDays(32) }, list[0]);
        Assert.Equal("Second", (await store.GetAsync(key.Id, "conv_b"))!.Title);

        Assert.Equal(1, await store.EraseExpiredAsync(At.AddDays(31)));
        Assert.Equal(["conv_a"], (await store.ListAsync(key.Id)).Select(c => c.Id));
        Assert.Equal(1, await store.DeleteAsync(key.Id, "conv_a"));
        Assert.True(await store.SaveAsync(first));
        Assert.Equal(1, await store.DeleteAsync(key.Id, null));

        // Turning history off erases what is left and forgets the opt-in.
        Assert.True(await store.SaveAsync(first));
        await store.SetEnabledAsync(key.Id, key.CustomerId, null);
        Assert.Null(await store.EnabledAtAsync(key.Id));
        Assert.Empty(await store.ListAsync(key.Id));
    }

    [ServiceFact]
    public async Task Feedback_RatingsSummedPerDayAndModel_CommentErasedAfterItsRetention()
    {
        var store = Store<IFeedbackStore>();
        await Store<IUsageRecorder>().RecordAsync(Event("req_rated", 0.1m));
        var customer = DemoCustomer;
        Assert.Equal("tg-mini", await store.ModelOfRequestAsync(customer, "req_rated"));
        Assert.Null(await store.ModelOfRequestAsync("cus_someone_else", "req_rated"));

        var day = new DateTimeOffset(2026, 11, 20, 23, 59, 0, TimeSpan.Zero);
        await store.SaveAsync(new FeedbackRecord("req_a", customer, "tg-mini", "up", "kept", day.AddDays(30), day));
        await store.SaveAsync(new FeedbackRecord("req_b", customer, "tg-mini", "up", null, null, day));
        await store.SaveAsync(new FeedbackRecord("req_c", customer, "tg-mini", "down", null, null, day.AddMinutes(2)));
        await store.SaveAsync(new FeedbackRecord("req_d", customer, "tg-large", "down", "short-lived", day.AddMinutes(1), day));
        // A second rating of a request replaces the first.
        await store.SaveAsync(new FeedbackRecord("req_b", customer, "tg-mini", "down", null, null, day));

        var summary = await store.SummaryAsync(day.AddDays(-1), day.AddDays(2));
        Assert.Equal([
            new FeedbackDay("2026-11-20", "tg-large", 0, 1, 1),
            new FeedbackDay("2026-11-20", "tg-mini", 1, 1, 1),
            new FeedbackDay("2026-11-21", "tg-mini", 0, 1, 0)], summary);

        Assert.Equal(1, await store.EraseExpiredCommentsAsync(day.AddDays(1)));
        Assert.Equal(0, await store.EraseExpiredCommentsAsync(day.AddDays(1)));
        Assert.Equal(0, (await store.SummaryAsync(day.AddDays(-1), day.AddDays(2))).Single(d => d.ModelId == "tg-large").Comments);
        Assert.Equal(1, await store.EraseExpiredCommentsAsync(day.AddDays(31)));
    }

    private string DemoCustomer => App.Services.GetRequiredService<CatalogState>().Current.Keys.Values.First().CustomerId;

    private async Task<string> NewCustomerAsync()
    {
        using var admin = App.AdminClient();
        return (await admin.PostJsonAsync("/admin/v1/customers", """{"name":"Store test"}""")).Id();
    }

    private static async Task<decimal> BalanceAsync(HttpClient api)
    {
        var account = JsonNode.Parse(await api.GetStringAsync("/v1/account"))!;
        return Amount(account["balance"], "available");
    }

    private UsageEvent Event(string requestId, decimal charged)
    {
        var key = App.Services.GetRequiredService<CatalogState>().Current.Keys.Values.First();
        return new UsageEvent
        {
            RequestId = requestId,
            CustomerId = key.CustomerId,
            KeyId = key.Id,
            ModelId = "tg-mini",
            BackendId = "tg-mini-sim",
            PriceVersion = 1,
            Tokens = new TokenUsage(100, 0, 20),
            ListAmount = charged,
            ChargedAmount = charged,
            CostToServe = 0.00001m,
            Status = UsageStatus.Completed,
            Source = UsageSource.Backend,
            Streamed = false,
            LatencyMs = 42,
            StartedAt = At.AddMilliseconds(-42),
            CompletedAt = At,
        };
    }
}
