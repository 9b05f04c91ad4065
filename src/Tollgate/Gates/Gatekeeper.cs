using Tollgate.Billing.Catalog;
using Tollgate.Billing.Contracts;
using Tollgate.Catalog;

namespace Tollgate.Gates;

/// <summary>
/// Decides whether a customer may call a gated model, from the snapshot (contracts, rules,
/// invitations) and the in-memory spend: no database on the request path.
/// </summary>
internal sealed class Gatekeeper(GateSpend spend)
{
    public GateDecision Decide(CatalogSnapshot snapshot, CustomerEntry customer, string modelId, DateTimeOffset now)
    {
        var rule = snapshot.GateRules.GetValueOrDefault(modelId) ?? GateRule.Default(modelId);
        return GateDecision.Evaluate(rule, Facts(snapshot, customer, rule, now), now);
    }

    /// <summary>Every gated model in the catalog with this customer's standing on it, in id order.</summary>
    public IEnumerable<(ModelEntry Model, GateDecision Decision)> Standing(CatalogSnapshot snapshot, CustomerEntry customer, DateTimeOffset now) =>
        snapshot.ModelsInOrder.Where(m => m.Tier == ModelTier.Gated).Select(m => (m, Decide(snapshot, customer, m.Id, now)));

    /// <summary>
    /// Qualifying spend: charged usage on non-gated models over the rule's days. A prepaid
    /// customer's counts only up to what it has paid, so promotional credit alone never opens a gate.
    /// </summary>
    public decimal QualifyingSpend(CustomerEntry customer, int days, DateTimeOffset now)
    {
        var spent = spend.Spent(customer.Id, now, days);
        return customer.BillingMode == BillingMode.Prepaid ? Math.Min(spent, spend.Paid(customer.Id)) : spent;
    }

    private GateFacts Facts(CatalogSnapshot snapshot, CustomerEntry customer, GateRule rule, DateTimeOffset now)
    {
        GateInvitation? invitation = null;
        if (snapshot.Invitations.TryGetValue(customer.Id, out var invitations))
        {
            foreach (var candidate in invitations)
            {
                if (candidate.ModelId == rule.ModelId && candidate.IsValid(now))
                {
                    invitation = candidate;
                    break;
                }
            }
        }
        var spent = rule.MinSpend is null ? 0m : QualifyingSpend(customer, rule.SpendDays, now);
        var age = (int)Math.Max(0, Math.Floor((now - customer.CreatedAt).TotalDays));
        var preview = snapshot.Subscriptions.TryGetValue(customer.Id, out var subscription) && subscription.IncludesUsage && subscription.Plan.Includes(rule.ModelId);
        return new GateFacts(snapshot.ContractAt(customer.Id, now), invitation, spent, age, preview);
    }
}
