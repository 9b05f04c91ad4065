using Tollgate.Billing.Catalog;
using Tollgate.Billing.Pricing;

namespace Tollgate.Catalog;

/// <summary>A public model: what customers call, what it costs them, and the backends that serve it.</summary>
internal sealed record ModelEntry(
    string Id,
    ModelKind Kind,
    ModelTier Tier,
    string Tokenizer,
    int MaxOutputTokens,
    string OwnedBy,
    DateTimeOffset CreatedAt,
    IReadOnlyList<PriceCard> PriceCards,
    IReadOnlyList<BackendEntry> Backends)
{
    /// <summary>The price card in force at <paramref name="at"/>; null means the model is not servable.</summary>
    public PriceCard? PriceCardAt(DateTimeOffset at) => EffectiveDated.At(PriceCards, at, c => c.EffectiveFrom);

    /// <summary>How a request picks among <see cref="Backends"/>; whichever is picked, the others remain fallbacks.</summary>
    public RoutingPolicy Routing { get; init; } = RoutingPolicy.Priority;
}
