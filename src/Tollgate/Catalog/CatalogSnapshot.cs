using System.Collections.Frozen;

namespace Tollgate.Catalog;

/// <summary>
/// Everything the data plane reads per request, immutable and swapped whole on change, so a
/// request never touches the database before it is forwarded.
/// </summary>
internal sealed class CatalogSnapshot
{
    public static readonly CatalogSnapshot Empty = new([], [], [], 0);

    public CatalogSnapshot(IEnumerable<CustomerEntry> customers, IEnumerable<KeyEntry> keys, IEnumerable<ModelEntry> models, long version)
    {
        Customers = customers.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        Keys = keys.ToFrozenDictionary(k => k.Id, StringComparer.Ordinal);
        Models = models.ToFrozenDictionary(m => m.Id, StringComparer.Ordinal);
        ModelsInOrder = [.. Models.Values.OrderBy(m => m.Id, StringComparer.Ordinal)];
        Version = version;
    }

    public FrozenDictionary<string, CustomerEntry> Customers { get; }

    /// <summary>Keys by their public id (the part of the secret before the random tail).</summary>
    public FrozenDictionary<string, KeyEntry> Keys { get; }

    public FrozenDictionary<string, ModelEntry> Models { get; }

    public IReadOnlyList<ModelEntry> ModelsInOrder { get; }

    /// <summary>Subscription plans by id.</summary>
    public FrozenDictionary<string, Billing.Subscriptions.Plan> Plans { get; init; } = FrozenDictionary<string, Billing.Subscriptions.Plan>.Empty;

    /// <summary>Live (not canceled) subscriptions by customer id.</summary>
    public FrozenDictionary<string, Subscriptions.SubscriptionEntry> Subscriptions { get; init; } =
        FrozenDictionary<string, Subscriptions.SubscriptionEntry>.Empty;

    /// <summary>Every contract (past, present and scheduled) by customer id, oldest first; which is in force is a question of time.</summary>
    public FrozenDictionary<string, Billing.Contracts.Contract[]> Contracts { get; init; } =
        FrozenDictionary<string, Billing.Contracts.Contract[]>.Empty;

    /// <summary>Admission rules of gated models by model id; a gated model without one admits by contract or invitation.</summary>
    public FrozenDictionary<string, Billing.Contracts.GateRule> GateRules { get; init; } = FrozenDictionary<string, Billing.Contracts.GateRule>.Empty;

    /// <summary>Unrevoked invitations by customer id (expired ones too: expiry is checked at the moment of use).</summary>
    public FrozenDictionary<string, Billing.Contracts.GateInvitation[]> Invitations { get; init; } =
        FrozenDictionary<string, Billing.Contracts.GateInvitation[]>.Empty;

    /// <summary>Operators' restrictions (throttle, suspension) on customers' use of gated models, by <see cref="RestrictionKey"/>.</summary>
    public FrozenDictionary<string, Distillation.GateRestriction> GateRestrictions { get; init; } =
        FrozenDictionary<string, Distillation.GateRestriction>.Empty;

    public static string RestrictionKey(string customerId, string modelId) => customerId + "\n" + modelId;

    public Distillation.GateRestriction? RestrictionOf(string customerId, string modelId) =>
        GateRestrictions.Count == 0 ? null : GateRestrictions.GetValueOrDefault(RestrictionKey(customerId, modelId));

    /// <summary>The customer's contract in force at <paramref name="at"/>, if any.</summary>
    public Billing.Contracts.Contract? ContractAt(string customerId, DateTimeOffset at)
    {
        if (!Contracts.TryGetValue(customerId, out var contracts)) return null;
        foreach (var contract in contracts)
        {
            if (contract.IsInForce(at)) return contract;
        }
        return null;
    }

    /// <summary>Increases with every change written to storage.</summary>
    public long Version { get; }
}
