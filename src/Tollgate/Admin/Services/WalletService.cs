using System.Security.Claims;
using Microsoft.Extensions.Options;
using Tollgate.Billing;
using Tollgate.Billing.Wallets;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin.Services;

/// <summary>A customer's wallet and the credit grants that fill it, for the admin API and the console alike.</summary>
internal sealed class WalletService(
    CatalogState catalog, IWalletStore wallets, Accounts accounts, Tiers tiers, TierRefresher tierRefresher, IOptions<MoneyBounds> bounds, HeldAccounts held,
    TimeProvider time)
{
    public async Task<Outcome<WalletDto>> GetAsync(string customerId, CancellationToken cancellationToken) =>
        catalog.Current.Customers.TryGetValue(customerId, out var customer)
            ? await ToDtoAsync(customer, time.UtcNowStored(), cancellationToken)
            : ApiErrorResult.NotFound("customer", customerId);

    public async Task<Outcome<WalletDto>> GrantAsync(string customerId, GrantRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.TryGetValue(customerId, out var customer)) return ApiErrorResult.NotFound("customer", customerId);
        var max = bounds.Value.MaxGrant;
        if (!Money.TryParse(body?.Amount, out var amount) || amount <= 0 || decimal.Round(amount, 12) != amount || amount > max)
            return ApiErrorResult.Invalid($"'amount' must be a positive decimal string of dollars{MoneyBounds.AtMost(max)}.", "amount");
        if (held.Reason(customerId) is { } reason) return ApiErrorResult.Conflict($"The account is held closed: {reason}", "account_held");
        // Checked before anything is stored: a grant the live wallet cannot add is never committed.
        if (!Money.TryAdd(accounts.WalletView(customerId)?.Used ?? 0, amount, out _))
            return ApiErrorResult.Invalid("'amount' would take the wallet beyond what it can hold.", "amount");
        var kind = GrantKind.Purchased;
        if (body!.Kind is not null && !StoredNames.TryParse(body.Kind, out kind))
            return ApiErrorResult.Invalid("'kind' must be 'purchased' or 'promotional'.", "kind");
        var now = time.UtcNowStored();
        if (body.ExpiresAt is { } expires && expires <= now) return ApiErrorResult.Invalid("'expires_at' must be in the future.", "expires_at");
        if (body.Note is { Length: > 500 }) return ApiErrorResult.Invalid("'note' must be at most 500 characters.", "note");
        var grant = new Grant(RandomText.Id("grant_"), kind, amount, now, body.ExpiresAt);
        var after = new GrantDto(grant.Id, StoredNames.Of(kind), Money.Format(amount), Money.Format(amount), now, body.ExpiresAt, false);
        await wallets.AddGrantAsync(customerId, grant, body.Note,
            user.Audit("grant.create", "customer", customerId, null, after, AdminJson.Default.GrantDto, now), cancellationToken);
        accounts.AddGrant(customerId, grant);
        // A purchased grant is paid spend: the tier standing moves before the next request.
        if (kind == GrantKind.Purchased && tiers.Enabled) await tierRefresher.RefreshAsync(cancellationToken);
        return await ToDtoAsync(customer, now, cancellationToken);
    }

    private async Task<WalletDto> ToDtoAsync(CustomerEntry customer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var replay = await wallets.ReplayAsync(customer.Id, now, cancellationToken);
        var grants = await wallets.ListGrantsAsync(customer.Id, cancellationToken);
        var view = await accounts.WalletViewAsync(customer.Id);
        return new WalletDto(customer.Id, Money.Format(view?.Used ?? 0), Money.Format(view?.Reserved ?? 0),
            Money.Format(Math.Max(view?.Available ?? 0, 0)), MoneyField.Format(customer.CreditLimit),
            [.. grants.Select(g => new GrantDto(g.Id, StoredNames.Of(g.Kind), Money.Format(g.Amount), Money.Format(replay.Remaining.GetValueOrDefault(g.Id)),
                g.CreatedAt, g.ExpiresAt, replay.Expired.ContainsKey(g.Id)))]);
    }
}
