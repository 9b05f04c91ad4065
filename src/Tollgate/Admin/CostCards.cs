using System.Security.Claims;
using Tollgate.Billing;
using Tollgate.Billing.Pricing;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>
/// A backend's cost version to add: <c>tokens</c> (the default) with per-million rates as a price
/// card has, or <c>hardware</c> with an hourly cost per GPU, a GPU count, the deployment's rated
/// tokens per hour and the target utilisation the cost is spread at.
/// </summary>
internal sealed record CostCardRequest(
    string? Kind = null,
    string? Input = null,
    string? CachedInput = null,
    string? Output = null,
    string? RequestFee = null,
    string? HourlyCost = null,
    int? GpuCount = null,
    long? RatedTokensPerHour = null,
    string? TargetUtilisation = null,
    DateTimeOffset? EffectiveFrom = null,
    string? CacheWrite = null);

internal sealed record HardwareView(string HourlyCost, int GpuCount, long RatedTokensPerHour, string TargetUtilisation, string CostPerHour);

/// <summary>A cost version; for own hardware the rates are derived per million tokens and <c>hardware</c> says from what.</summary>
internal sealed record CostCardView(long Version, DateTimeOffset EffectiveFrom, string Kind, string Input, string CachedInput, string Output, string RequestFee,
    HardwareView? Hardware, string? CacheWrite);

/// <summary>Either kind of cost, as read from a request.</summary>
internal sealed record ParsedCost(TokenRates? Rates, HardwareCost? Hardware);

internal static class CostCards
{
    public static ParsedCost? Read(CostCardRequest body, string param, decimal maxPrice, out ApiErrorResult? error)
    {
        error = null;
        var kind = CostCardKind.Tokens;
        if (body.Kind is not null && !StoredNames.TryParse(body.Kind, out kind))
        {
            error = ApiErrorResult.Invalid($"'{param}.kind' must be 'tokens' or 'hardware'.", param + ".kind");
            return null;
        }
        if (kind == CostCardKind.Tokens)
        {
            if (body.HourlyCost is not null || body.GpuCount is not null || body.RatedTokensPerHour is not null || body.TargetUtilisation is not null)
            {
                error = ApiErrorResult.Invalid($"Hardware fields need '{param}.kind' set to 'hardware'.", param + ".kind");
                return null;
            }
            var rates = RatesParser.Read(new RatesDto(body.Input, body.CachedInput, body.Output, body.RequestFee, CacheWrite: body.CacheWrite), param, maxPrice, out error);
            return rates is null ? null : new ParsedCost(rates, null);
        }
        if (body.Input is not null || body.CachedInput is not null || body.Output is not null || body.RequestFee is not null || body.CacheWrite is not null)
        {
            error = ApiErrorResult.Invalid("A hardware cost has no token rates: they are derived from the hourly cost and the rated capacity.", param);
            return null;
        }
        if (!Money.TryParse(body.HourlyCost, out var hourly) || hourly > maxPrice)
        {
            error = ApiErrorResult.Invalid($"'{param}.hourly_cost' is required: dollars an hour per GPU, as a decimal string{MoneyBounds.AtMost(maxPrice)}.", param + ".hourly_cost");
            return null;
        }
        if (!Money.TryParse(body.TargetUtilisation ?? "1", out var utilisation))
        {
            error = ApiErrorResult.Invalid($"'{param}.target_utilisation' must be a decimal string such as 0.6.", param + ".target_utilisation");
            return null;
        }
        var hardware = new HardwareCost(hourly, body.GpuCount ?? 1, body.RatedTokensPerHour ?? 0, utilisation);
        if (hardware.Validate() is { } problem)
        {
            var field = problem[..problem.IndexOf(':', StringComparison.Ordinal)];
            error = ApiErrorResult.Invalid($"'{param}.{problem.Replace(": ", "' must be ", StringComparison.Ordinal)}.", $"{param}.{field}");
            return null;
        }
        return new ParsedCost(null, hardware);
    }

    /// <summary>Stores the version with its audit entry; returns the version.</summary>
    public static Task<long> AddAsync(IModelStore store, ClaimsPrincipal user, string backendId, DateTimeOffset from, ParsedCost cost, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var audit = user.Audit<CostCardView>("cost.add", "backend", backendId, null, View(Card(backendId, from, cost)), AdminJson.Default.CostCardView, now);
        return cost.Hardware is { } hardware
            ? store.AddHardwareCostCardAsync(backendId, from, hardware, audit, cancellationToken)
            : store.AddCostCardAsync(backendId, from, cost.Rates!, audit, cancellationToken);
    }

    public static CostCardView View(CostCard card) => new(
        card.Version, card.EffectiveFrom, StoredNames.Of(card.Kind), Money.Format(card.Rates.InputPerMillion), Money.Format(card.Rates.CachedInputPerMillion),
        Money.Format(card.Rates.OutputPerMillion), Money.Format(card.Rates.RequestFee),
        card.Hardware is { } h
            ? new HardwareView(Money.Format(h.HourlyCost), h.GpuCount, h.RatedTokensPerHour, Money.Format(h.TargetUtilisation), Money.Format(h.CostPerHour))
            : null,
        RatesParser.FormatOptional(card.Rates.CacheWritePerMillion));

    private static CostCard Card(string backendId, DateTimeOffset from, ParsedCost cost) =>
        cost.Hardware is { } hardware ? CostCard.OwnHardware(0, backendId, from, hardware) : new CostCard(0, backendId, from, cost.Rates!);
}
