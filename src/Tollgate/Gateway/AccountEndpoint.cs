using System.Text.Json;
using Tollgate.Billing;
using Tollgate.Budgets;
using Tollgate.Gateway.Stages;
using Tollgate.Storage;

namespace Tollgate.Gateway;

/// <summary>
/// <c>GET /v1/account</c>: one document about the caller, extended by each capability and never
/// reshaped. Sections not in force yet are present and empty. Money is decimal strings.
/// </summary>
internal sealed class AccountEndpoint(
    Authenticate authenticate, Accounts accounts, Limits.RateLimiter limiter, Subscriptions.IAllowanceWindows allowances, Gates.Gatekeeper gatekeeper, TimeProvider time)
{
    public async Task GetAsync(HttpContext http)
    {
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow());
        if (authenticate.Run(request) is { } error)
        {
            await ApiErrorWriter.WriteAsync(http, error);
            return;
        }
        var customer = request.Customer;
        AccountDocument document;
        try
        {
            // Across a cluster the figures come from the shared counters (a few Redis calls), never this node's share of them.
            var figures = await accounts.FiguresAsync(customer, request.Key);
            var wallet = accounts.Wallet(customer) is null ? null : figures.Wallet;
            var limits = await limiter.ReadAsync(customer, request.Key);
            document = new AccountDocument(
                new AccountCustomer(customer.Id, customer.Name, StoredNames.Of(customer.BillingMode)),
                new AccountBalance(
                    wallet is null ? null : Money.Format(Math.Max(wallet.Available, 0)),
                    Money.Format(wallet?.Reserved ?? 0),
                    customer.CreditLimit is { } credit ? Money.Format(credit) : null),
                [.. Budgets(customer, request.Key, figures).Select(b => new AccountBudget(
                    b.Scope, StoredNames.Of(b.View.Period), Money.Format(b.View.Limit), Money.Format(b.View.Used),
                    Money.Format(Math.Max(b.View.Available, 0)), b.View.ResetsAt)), .. SpendCap(figures.Customer)],
                accounts.Tiers is { } tiers ? TierDocument.From(tiers.Standing(customer, time.GetUtcNow()), time.GetUtcNow()) : null,
                [.. limits.Select(l => new AccountLimit(l.Name + "_per_minute", l.Limit, l.Remaining, time.GetUtcNow() + l.ResetsIn))],
                await SubscriptionAsync(request), Contract(request), GatedModels(request));
        }
        catch (Storage.Redis.SharedStateUnavailableException)
        {
            await ApiErrorWriter.WriteAsync(http, Storage.Redis.SharedStateOutage.Error("the account cannot be read"), Storage.Redis.SharedStateOutage.RetryAfter);
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(document, GatewayJson.Default.AccountDocument));
    }

    private async Task<AccountSubscription?> SubscriptionAsync(GatewayRequest request) =>
        request.Snapshot.Subscriptions.TryGetValue(request.Customer.Id, out var s)
            ? new AccountSubscription(s.Plan.Id, s.Plan.Name, StoredNames.Of(s.Status), s.PeriodEnd, s.CancelAtPeriodEnd,
                [.. (await allowances.ReadAsync(s)).Select(w => new AccountWindow(w.Name, w.Model, w.Used, w.Size, w.Remaining, w.ResetsAt))])
            {
                Models = [.. s.Plan.Models],
                Overage = StoredNames.Of(s.Plan.Overage),
                DowngradeModel = s.Plan.DowngradeModel,
            }
            : null;

    private AccountContract? Contract(GatewayRequest request)
    {
        var now = time.GetUtcNow();
        if (request.Snapshot.ContractAt(request.Customer.Id, now) is not { } c) return null;
        return new AccountContract(c.Id, StoredNames.Of(c.StatusAt(now)), c.StartsAt, c.EndsAt, Money.Format(c.MonthlyCommitment),
            Money.Format(c.CommitmentFor(Billing.Invoices.BillingPeriod.Of(now))), Money.Format(c.DiscountPercent), [.. c.RateOverrides.Keys.Order(StringComparer.Ordinal)],
            c.EntitledModels);
    }

    /// <summary>Every gated model: callable or not, by which path, and otherwise what each path still needs.</summary>
    private AccountGatedModel[] GatedModels(GatewayRequest request) =>
        [.. gatekeeper.Standing(request.Snapshot, request.Customer, time.GetUtcNow())
            .Select(g => new AccountGatedModel(g.Model.Id, g.Decision.Allowed && request.Key.MayUse(g.Model.Id),
                g.Decision.Via is { } via ? StoredNames.Of(via) : null, g.Decision.Missing))];

    /// <summary>The budgets that limit this key's requests.</summary>
    private static IEnumerable<(string Scope, AccountView View)> Budgets(Catalog.CustomerEntry customer, Catalog.KeyEntry key, AccountFigures figures)
    {
        if (key.Budget is not null && figures.Key is { } keyBudget) yield return ("key", keyBudget);
        if (customer.MonthlyBudget is not null && figures.Customer is { } customerBudget) yield return ("customer", customerBudget);
    }

    /// <summary>The tier's monthly spend cap, shown as one more budget (scope <c>tier</c>) over the customer's spend this month.</summary>
    private IEnumerable<AccountBudget> SpendCap(AccountView? customer)
    {
        if (accounts.Tiers is null || customer is not { Cap: { } cap } view) yield break;
        yield return new AccountBudget("tier", StoredNames.Of(BudgetPeriod.Monthly), Money.Format(cap), Money.Format(view.MonthSpent),
            Money.Format(Math.Max(cap - view.MonthSpent - view.Reserved, 0)), view.MonthResetsAt);
    }
}

internal sealed record AccountSubscription(
    string Plan, string PlanName, string Status, DateTimeOffset PeriodEnd, bool CancelAtPeriodEnd, IReadOnlyList<AccountWindow> Windows)
{
    /// <summary>The models the plan includes (counted against the windows).</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>What happens once a window is used up: <c>block</c>, <c>downgrade</c> (to <see cref="DowngradeModel"/>) or <c>metered</c>.</summary>
    public string Overage { get; init; } = "block";

    public string? DowngradeModel { get; init; }
}

internal sealed record AccountWindow(string Name, string? Model, long Used, long Size, long Remaining, DateTimeOffset? ResetsAt);

internal sealed record AccountDocument(
    AccountCustomer Customer,
    AccountBalance Balance,
    IReadOnlyList<AccountBudget> Budgets,
    TierDocument? Tier,
    IReadOnlyList<AccountLimit> Limits,
    AccountSubscription? Subscription,
    AccountContract? Contract,
    IReadOnlyList<AccountGatedModel> GatedModels);

/// <summary>The contract in force: its term, pricing, the commitment of this month (prorated in a first or last month), and the gated models it opens.</summary>
internal sealed record AccountContract(
    string Id, string Status, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string MonthlyCommitment, string CommitmentThisPeriod, string DiscountPercent,
    IReadOnlyList<string> RateOverrideModels, IReadOnlyList<string> EntitledModels);

/// <summary><c>via</c> is <c>contract</c>, <c>spend</c> or <c>invitation</c> when callable; <c>missing</c> lists each path's unmet requirement otherwise.</summary>
internal sealed record AccountGatedModel(string Model, bool Callable, string? Via, IReadOnlyList<string> Missing);

internal sealed record AccountLimit(string Name, long Limit, long Remaining, DateTimeOffset ResetsAt);

internal sealed record AccountCustomer(string Id, string Name, string BillingMode);

/// <summary><c>available</c> is null when nothing caps the customer's spend (postpaid without a credit limit).</summary>
internal sealed record AccountBalance(string? Available, string Reserved, string? CreditLimit);

internal sealed record AccountBudget(string Scope, string Period, string Limit, string Spent, string Remaining, DateTimeOffset? ResetsAt);
