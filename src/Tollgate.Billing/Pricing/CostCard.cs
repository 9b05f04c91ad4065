namespace Tollgate.Billing.Pricing;

/// <summary>
/// What serving through a backend costs the operator from <see cref="EffectiveFrom"/> on,
/// as the per-token price paid upstream.
/// </summary>
public sealed record CostCard(long Version, string BackendId, DateTimeOffset EffectiveFrom, TokenRates Rates)
{
    public decimal CostToServe(TokenUsage usage) => Rates.AmountFor(usage);
}
