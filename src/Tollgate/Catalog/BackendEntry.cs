using Tollgate.Billing.Pricing;

namespace Tollgate.Catalog;

/// <summary>One way to serve a model. Backends of a model are tried in <see cref="Priority"/> order.</summary>
internal sealed record BackendEntry(
    string Id,
    string ModelId,
    int Priority,
    BackendKind Kind,
    BackendSettings Settings,
    IReadOnlyList<CostCard> CostCards)
{
    /// <summary>The cost card in force at <paramref name="at"/>, or null when none is.</summary>
    public CostCard? CostCardAt(DateTimeOffset at) => EffectiveDated.At(CostCards, at, c => c.EffectiveFrom);
}
