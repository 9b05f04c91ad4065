using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin;
using Tollgate.Admin.Services;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Subscriptions;
using Tollgate.Web.Charts;

namespace Tollgate.Web.Pages.Console;

/// <summary>
/// One customer: wallet and grants, budgets, tier, subscription windows, contract, keys (create — the secret
/// is shown on this response only — and revoke), a usage chart and invoices.
/// </summary>
internal sealed class CustomerModel(
    CatalogState catalog, WalletService wallets, KeyService keys, ICustomerStore store, IInvoiceStore invoices, IUsageQueries usage,
    Accounts accounts, IAllowanceWindows allowances, Contracts.ContractService contracts, Tollgate.Portal.CustomerUserService portalUsers, TimeProvider time) : ConsolePage
{
    public const int Days = 30;

    public CustomerEntry Customer { get; private set; } = null!;

    public WalletDto? Wallet { get; private set; }

    public IReadOnlyList<KeyDto> Keys { get; private set; } = [];

    public IReadOnlyList<AccountView> Budgets { get; private set; } = [];

    public TierStanding? Tier { get; private set; }

    public SubscriptionEntry? Subscription { get; private set; }

    public IReadOnlyList<WindowView> Windows { get; private set; } = [];

    public IReadOnlyList<InvoiceRecord> Invoices { get; private set; } = [];

    public UsageByDay Daily { get; private set; } = new([], []);

    /// <summary>The contract in force, else the customer's latest one; with its progress this period.</summary>
    public Billing.Contracts.Contract? Contract { get; private set; }

    public Contracts.ContractProgress? ContractProgress { get; private set; }

    public string ContractStatus { get; private set; } = "";

    /// <summary>Who signs in to the portal for this customer, and the invitations sent (newest first).</summary>
    public IReadOnlyList<Tollgate.Portal.CustomerUserDto> PortalUsers { get; private set; } = [];

    public IReadOnlyList<Tollgate.Portal.PortalInvitationDto> PortalInvitations { get; private set; } = [];

    /// <summary>An invitation made on this request: its link is shown once and never again.</summary>
    public Tollgate.Portal.CreatedPortalInvitationDto? CreatedInvitation { get; private set; }

    /// <summary>A key created on this request: its secret is shown once and never again.</summary>
    public CreatedKeyDto? CreatedKey { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    [ConsoleScope(AdminScopes.Keys)]
    public async Task<IActionResult> OnPostCreateKeyAsync(string id, string? name, string? models, CancellationToken cancellationToken)
    {
        var scoped = string.IsNullOrWhiteSpace(models) ? null : models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var outcome = await keys.CreateAsync(id, new KeyRequest(string.IsNullOrWhiteSpace(name) ? null : name, scoped, null), User, cancellationToken);
        if (outcome.Error is { } error)
        {
            Problem = error.Error.Message;
            return RedirectToPage(new { id });
        }
        // Rendered, not redirected: the secret must not travel in a cookie or a URL.
        CreatedKey = outcome.Value;
        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    [ConsoleScope(AdminScopes.Keys)]
    public async Task<IActionResult> OnPostRevokeKeyAsync(string id, string keyId, CancellationToken cancellationToken)
    {
        var owned = await store.GetKeyAsync(keyId, cancellationToken) is { } key && key.CustomerId == id;
        return owned
            ? Done(await keys.RevokeAsync(keyId, User, cancellationToken), k => $"Key {k.Prefix}… revoked.", null, new { id })
            : NotFound();
    }

    [ConsoleScope(AdminScopes.Billing)]
    public async Task<IActionResult> OnPostInviteAsync(string id, string? email, string? role, CancellationToken cancellationToken)
    {
        var outcome = await portalUsers.InviteAsync(id, new Tollgate.Portal.PortalInvitationRequest(email, role, null), User, cancellationToken);
        if (outcome.Error is { } error)
        {
            Problem = error.Error.Message;
            return RedirectToPage(new { id });
        }
        // Rendered, not redirected: the link carries a secret, which must not travel in a cookie.
        CreatedInvitation = outcome.Value;
        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    [ConsoleScope(AdminScopes.Billing)]
    public async Task<IActionResult> OnPostRemovePortalUserAsync(string id, string userId, CancellationToken cancellationToken) =>
        Done(await portalUsers.RemoveAsync(id, userId, User, cancellationToken), u => $"{u.Email} can no longer sign in to the portal.", null, new { id });

    [ConsoleScope(AdminScopes.Billing)]
    public async Task<IActionResult> OnPostGrantAsync(string id, string? amount, string? kind, string? note, CancellationToken cancellationToken) =>
        Done(await wallets.GrantAsync(id, new GrantRequest(amount?.Trim(), kind, null, string.IsNullOrWhiteSpace(note) ? null : note), User, cancellationToken),
            w => $"Grant added; available balance {w.Available}.", null, new { id });

    private async Task<bool> LoadAsync(string id, CancellationToken cancellationToken)
    {
        var snapshot = catalog.Current;
        if (!snapshot.Customers.TryGetValue(id, out var customer)) return false;
        Customer = customer;
        var now = time.GetUtcNow();
        Wallet = (await wallets.GetAsync(id, cancellationToken)).Value;
        Keys = (await store.ListKeysAsync(id, new Storage.Page(Storage.Page.MaxLimit), cancellationToken)).Items.Select(k => KeyService.ToDto(k, now)).ToList();
        Budgets = await accounts.CustomerViewAsync(customer) is { } view ? [view] : [];
        Tier = accounts.Tiers?.Standing(customer, now);
        if (snapshot.Subscriptions.TryGetValue(id, out var subscription))
        {
            Subscription = subscription;
            Windows = await allowances.ReadAsync(subscription);
        }
        Invoices = (await invoices.ListAsync(new InvoiceFilter(id), new Storage.Page(24), cancellationToken)).Items;
        PortalUsers = await portalUsers.UsersAsync(id, cancellationToken);
        PortalInvitations = await portalUsers.InvitationsAsync(id, cancellationToken);
        Daily = await UsageByDay.ReadAsync(usage, now, Days, id, cancellationToken);
        Contract = snapshot.ContractAt(id, now) ?? contracts.All.LastOrDefault(c => c.CustomerId == id);
        if (Contract is not null)
        {
            ContractProgress = await contracts.ProgressAsync(Contract, cancellationToken);
            ContractStatus = StoredNames.Of(Contract.StatusAt(now));
        }
        return true;
    }
}
