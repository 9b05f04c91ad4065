namespace Tollgate.Billing.Pricing;

/// <summary>
/// What serving through a backend costs the operator from <see cref="EffectiveFrom"/> on: the
/// per-token price paid upstream, or (with <see cref="Hardware"/>) own GPUs' hourly cost spread
/// over their rated capacity, already turned into <see cref="Rates"/>.
/// </summary>
public sealed record CostCard(long Version, string BackendId, DateTimeOffset EffectiveFrom, TokenRates Rates)
{
    /// <summary>Set for own hardware; the rates are then derived from it.</summary>
    public HardwareCost? Hardware { get; init; }

    public CostCardKind Kind => Hardware is null ? CostCardKind.Tokens : CostCardKind.Hardware;

    public static CostCard OwnHardware(long version, string backendId, DateTimeOffset effectiveFrom, HardwareCost hardware) =>
        new(version, backendId, effectiveFrom, hardware.Rates) { Hardware = hardware };

    /// <summary>The request's share of the cost: on the hot path, a few decimal multiplications.</summary>
    public decimal CostToServe(TokenUsage usage) => Rates.AmountFor(usage);
}
