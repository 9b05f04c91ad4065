using Microsoft.Extensions.Options;
using Tollgate.Admin;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Contracts;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Contracts;

/// <summary>
/// Creates, changes and ends contracts, sets gate rules and issues invitations: one validation,
/// one audit entry and one snapshot swap per change, for the admin API and the console alike.
/// Refusals are thrown as <see cref="ContractRefusedException"/> carrying the error to answer.
/// </summary>
internal sealed class ContractService(
    IContractStore store, IInvoiceStore invoices, CatalogState catalog, CatalogRefresher refresher, IOptions<MoneyBounds> bounds,
    TimeProvider time)
{
    public const int MaxInvitationDays = 366;

    public IEnumerable<Contract> All => catalog.Current.Contracts.Values.SelectMany(c => c).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal);

    public Contract Get(string id) => All.FirstOrDefault(c => c.Id == id) ?? throw ContractRefusedException.Missing("contract", id);

    public async Task<Contract> CreateAsync(ContractRequest? body, string actor, CancellationToken cancellationToken)
    {
        var now = time.UtcNowStored();
        if (body is null) throw ContractRefusedException.Invalid("A contract document is required.", "customer_id");
        if (body.CustomerId is not { } customerId || !catalog.Current.Customers.TryGetValue(customerId, out var customer))
            throw ContractRefusedException.Invalid("'customer_id' must name an existing customer.", "customer_id");
        if (customer.BillingMode != BillingMode.Postpaid)
            throw ContractRefusedException.Invalid("A contract bills its monthly minimum on an invoice, so the customer must be postpaid.", "customer_id");
        var starts = Stored(body.StartsAt ?? now);
        await CheckStartIsBillableAsync(customer, starts, cancellationToken);
        if (body.EndsAt is not { } endsAt) throw ContractRefusedException.Invalid("'ends_at' is required.", "ends_at");
        var ends = Stored(endsAt);
        CheckTerm(starts, ends, now);
        if (body.MonthlyCommitment is null) throw ContractRefusedException.Invalid("'monthly_commitment' is required (a decimal string of dollars).", "monthly_commitment");
        var contract = new Contract(RandomText.Id("ctr_"), customerId, starts, ends, Commitment(body.MonthlyCommitment), Discount(body.DiscountPercent ?? "0"),
            Overrides(body.RateOverrides ?? new Dictionary<string, Admin.RatesDto>()), Entitled(body.EntitledModels ?? []), now);
        CheckOverlap(contract);
        await store.SaveContractAsync(contract, Audit(actor, "contract.create", contract.Id, null, contract, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return contract;
    }

    public async Task<Contract> UpdateAsync(string id, ContractRequest? body, string actor, CancellationToken cancellationToken)
    {
        var now = time.UtcNowStored();
        var before = Get(id);
        if (body is null) throw ContractRefusedException.Invalid("A contract document is required.", "ends_at");
        if (before.StatusAt(now) is ContractStatus.Cancelled or ContractStatus.Ended)
            throw ContractRefusedException.Conflict($"Contract {id} has {StoredNames.Of(before.StatusAt(now))}; start a new one instead.", "contract_ended");
        if (body.CustomerId is not null && body.CustomerId != before.CustomerId)
            throw ContractRefusedException.Invalid("A contract's customer cannot change.", "customer_id");
        if (body.StartsAt is { } s && Stored(s) != before.StartsAt) throw ContractRefusedException.Invalid("A contract's start cannot change.", "starts_at");
        var after = before with
        {
            EndsAt = body.EndsAt is { } e ? Stored(e) : before.EndsAt,
            MonthlyCommitment = body.MonthlyCommitment is { } c ? Commitment(c) : before.MonthlyCommitment,
            DiscountPercent = body.DiscountPercent is { } d ? Discount(d) : before.DiscountPercent,
            RateOverrides = body.RateOverrides is { } o ? Overrides(o) : before.RateOverrides,
            EntitledModels = body.EntitledModels is { } m ? Entitled(m) : before.EntitledModels,
        };
        if (after.EndsAt != before.EndsAt) CheckTerm(after.StartsAt, after.EndsAt, now);
        CheckOverlap(after);
        await store.SaveContractAsync(after, Audit(actor, "contract.update", id, before, after, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return after;
    }

    /// <summary>Ends the contract now: its entitlements go with the next request, its last month's commitment is prorated to this second.</summary>
    public async Task<Contract> CancelAsync(string id, string actor, CancellationToken cancellationToken)
    {
        var now = time.UtcNowStored();
        var before = Get(id);
        if (before.StatusAt(now) is ContractStatus.Cancelled or ContractStatus.Ended)
            throw ContractRefusedException.Conflict($"Contract {id} has already {StoredNames.Of(before.StatusAt(now))}.", "contract_ended");
        var after = before with { CancelledAt = now };
        await store.SaveContractAsync(after, Audit(actor, "contract.cancel", id, before, after, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return after;
    }

    /// <summary>Commitment progress for the period containing now (or the contract's last period, once it has ended).</summary>
    public async Task<ContractProgress> ProgressAsync(Contract contract, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var at = now < contract.StartsAt ? contract.StartsAt : now >= contract.EffectiveEnd ? contract.EffectiveEnd.AddSeconds(-1) : now;
        var period = BillingPeriod.Of(at);
        var used = (await invoices.DailyUsageAsync(contract.CustomerId, period, cancellationToken)).Sum(d => d.ChargedAmount);
        return ContractProgress.Compute(contract, period, used, now);
    }

    public async Task<GateRule> PutRuleAsync(string modelId, GateRuleDto? body, string actor, CancellationToken cancellationToken)
    {
        RequireGated(modelId, "model_id");
        if (body is null) throw ContractRefusedException.Invalid("A gate rule document is required.", "min_spend");
        var (rule, error, param) = body.ToRule(modelId);
        if (rule is null) throw ContractRefusedException.Invalid(error!, param!);
        var before = catalog.Current.GateRules.GetValueOrDefault(modelId);
        var now = time.UtcNowStored();
        await store.PutGateRuleAsync(rule, RuleAudit(actor, "gate_rule.put", modelId, before, rule, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return rule;
    }

    public async Task DeleteRuleAsync(string modelId, string actor, CancellationToken cancellationToken)
    {
        var before = catalog.Current.GateRules.GetValueOrDefault(modelId) ?? throw ContractRefusedException.Missing("gate rule of model", modelId);
        var now = time.UtcNowStored();
        await store.DeleteGateRuleAsync(modelId, RuleAudit(actor, "gate_rule.delete", modelId, before, null, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
    }

    public async Task<GateInvitation> InviteAsync(InvitationRequest? body, string actor, CancellationToken cancellationToken)
    {
        var now = time.UtcNowStored();
        if (body?.CustomerId is not { } customerId || !catalog.Current.Customers.ContainsKey(customerId))
            throw ContractRefusedException.Invalid("'customer_id' must name an existing customer.", "customer_id");
        if (body.ModelId is not { } modelId) throw ContractRefusedException.Invalid("'model_id' is required.", "model_id");
        RequireGated(modelId, "model_id");
        if (catalog.Current.GateRules.GetValueOrDefault(modelId) is { Invitations: false })
            throw ContractRefusedException.Conflict($"The gate rule of '{modelId}' does not admit by invitation.", "invitations_closed");
        if (body.ExpiresAt is not null && body.Days is not null)
            throw ContractRefusedException.Invalid("Give 'expires_at' or 'days', not both.", "days");
        var expires = body.ExpiresAt is { } at ? Stored(at) : now.AddDays(body.Days ?? 30);
        if (body.Days is < 1 or > MaxInvitationDays) throw ContractRefusedException.Invalid($"'days' must be from 1 to {MaxInvitationDays}.", "days");
        if (expires <= now || expires > now.AddDays(MaxInvitationDays))
            throw ContractRefusedException.Invalid($"'expires_at' must be in the future and within {MaxInvitationDays} days.", "expires_at");
        if (body.Note is { Length: > 500 }) throw ContractRefusedException.Invalid("'note' is at most 500 characters.", "note");
        var invitation = new GateInvitation(RandomText.Id("inv_gate_"), customerId, modelId, expires, body.Note, now);
        await store.SaveInvitationAsync(invitation, InvitationAudit(actor, "invitation.create", null, invitation, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return invitation;
    }

    public async Task<GateInvitation> RevokeInvitationAsync(string id, string actor, CancellationToken cancellationToken)
    {
        var now = time.UtcNowStored();
        var before = (await store.InvitationsAsync(null, cancellationToken)).FirstOrDefault(i => i.Id == id)
            ?? throw ContractRefusedException.Missing("invitation", id);
        if (before.RevokedAt is not null) throw ContractRefusedException.Conflict($"Invitation {id} is already revoked.", "invitation_revoked");
        var after = before with { RevokedAt = now };
        await store.SaveInvitationAsync(after, InvitationAudit(actor, "invitation.revoke", before, after, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return after;
    }

    private void RequireGated(string modelId, string param)
    {
        if (!catalog.Current.Models.TryGetValue(modelId, out var model)) throw ContractRefusedException.Invalid($"Model '{modelId}' does not exist.", param);
        if (model.Tier != ModelTier.Gated) throw ContractRefusedException.Invalid($"Model '{modelId}' is not gated (its tier is {StoredNames.Of(model.Tier)}).", param);
    }

    /// <summary>
    /// A contract may be backdated only into months a future invoice run can still bill: never into a
    /// month already finalized, nor one before the customer existed, where its commitment would go unbilled.
    /// </summary>
    private async Task CheckStartIsBillableAsync(CustomerEntry customer, DateTimeOffset starts, CancellationToken cancellationToken)
    {
        var earliest = OpenPeriods.Earliest(customer.CreatedAt, await invoices.LastFinalizedPeriodAsync(customer.Id, cancellationToken));
        if (starts >= earliest.Start) return;
        throw ContractRefusedException.Invalid(
            $"'starts_at' is in {BillingPeriod.Of(starts)}, which can no longer be invoiced for this customer; the earliest open month is {earliest} " +
            $"(a contract may start from {earliest.Start:yyyy-MM-dd'T'HH:mm:ss'Z'}). Bill an earlier shortfall with a ledger adjustment instead.", "starts_at");
    }

    private static void CheckTerm(DateTimeOffset starts, DateTimeOffset ends, DateTimeOffset now)
    {
        if (ends <= starts) throw ContractRefusedException.Invalid("'ends_at' must be after 'starts_at'.", "ends_at");
        if (ends <= now) throw ContractRefusedException.Invalid("'ends_at' must be in the future.", "ends_at");
        if (ends > starts.AddYears(10)) throw ContractRefusedException.Invalid("A contract's term is at most 10 years.", "ends_at");
    }

    /// <summary>At most one contract is in force at any moment, so pricing and true-ups never have to choose.</summary>
    private void CheckOverlap(Contract contract)
    {
        var clash = catalog.Current.Contracts.GetValueOrDefault(contract.CustomerId)?
            .FirstOrDefault(c => c.Id != contract.Id && c.StartsAt < contract.EffectiveEnd && contract.StartsAt < c.EffectiveEnd);
        if (clash is not null)
            throw ContractRefusedException.Conflict(
                $"Customer {contract.CustomerId} already has contract {clash.Id} from {clash.StartsAt:yyyy-MM-dd'T'HH:mm:ss'Z'} to {clash.EffectiveEnd:yyyy-MM-dd'T'HH:mm:ss'Z'}; terms may not overlap.",
                "contract_overlap");
    }

    private static decimal Commitment(string text) =>
        Money.TryParse(text, out var amount) && amount >= 0 && decimal.Round(amount, 6) == amount
            ? amount
            : throw ContractRefusedException.Invalid("'monthly_commitment' must be a non-negative decimal string of dollars (at most 6 decimals).", "monthly_commitment");

    private static decimal Discount(string text) =>
        Money.TryParse(text, out var percent) && percent >= 0 && percent < 100 && decimal.Round(percent, 4) == percent
            ? percent
            : throw ContractRefusedException.Invalid("'discount_percent' must be a decimal string from 0 to below 100 (at most 4 decimals).", "discount_percent");

    private Dictionary<string, TokenRates> Overrides(IReadOnlyDictionary<string, Admin.RatesDto> overrides)
    {
        var rates = new Dictionary<string, TokenRates>(StringComparer.Ordinal);
        foreach (var (modelId, dto) in overrides)
        {
            if (!catalog.Current.Models.ContainsKey(modelId)) throw ContractRefusedException.Invalid($"Model '{modelId}' does not exist.", $"rate_overrides.{modelId}");
            rates[modelId] = RatesParser.Read(dto, $"rate_overrides.{modelId}", bounds.Value.MaxPrice, out var error) ?? throw new ContractRefusedException(error!.Error);
        }
        return rates;
    }

    private List<string> Entitled(IReadOnlyList<string> models)
    {
        foreach (var modelId in models) RequireGated(modelId, "entitled_models");
        return [.. models.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static DateTimeOffset Stored(DateTimeOffset at) => UnixTime.FromStored(UnixTime.ToStored(at));

    private static AuditEntry Audit(string actor, string action, string id, Contract? before, Contract? after, DateTimeOffset now) =>
        new(actor, action, "contract", id, Json(before, now), Json(after, now), now);

    private static string? Json(Contract? c, DateTimeOffset now) =>
        c is null ? null : System.Text.Json.JsonSerializer.Serialize(ContractDto.From(c, now), ContractJson.Default.ContractDto);

    private static AuditEntry RuleAudit(string actor, string action, string modelId, GateRule? before, GateRule? after, DateTimeOffset now) =>
        new(actor, action, "gate_rule", modelId,
            before is null ? null : System.Text.Json.JsonSerializer.Serialize(GateRuleDto.From(before), ContractJson.Default.GateRuleDto),
            after is null ? null : System.Text.Json.JsonSerializer.Serialize(GateRuleDto.From(after), ContractJson.Default.GateRuleDto), now);

    private static AuditEntry InvitationAudit(string actor, string action, GateInvitation? before, GateInvitation after, DateTimeOffset now) =>
        new(actor, action, "invitation", after.Id,
            before is null ? null : System.Text.Json.JsonSerializer.Serialize(InvitationDto.From(before, now), ContractJson.Default.InvitationDto),
            System.Text.Json.JsonSerializer.Serialize(InvitationDto.From(after, now), ContractJson.Default.InvitationDto), now);
}
