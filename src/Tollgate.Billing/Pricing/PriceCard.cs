namespace Tollgate.Billing.Pricing;

/// <summary>
/// What a customer pays for a model from <see cref="EffectiveFrom"/> on. A change of price is a
/// new card with a new <see cref="Version"/>; every usage event names the version it was charged at.
/// </summary>
public sealed record PriceCard(long Version, string ModelId, DateTimeOffset EffectiveFrom, TokenRates Rates)
{
    public decimal ListAmount(TokenUsage usage) => Rates.AmountFor(usage);
}
