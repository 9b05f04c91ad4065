using System.Text.Json;
using System.Text.Json.Serialization;
using Tollgate.Admin;
using Tollgate.Billing;
using Tollgate.Billing.Contracts;
using Tollgate.Billing.Pricing;
using Tollgate.Storage;

namespace Tollgate.Contracts;

/// <summary>
/// A contract as the admin API shows it and the audit log records it: money and percentages as
/// decimal strings, rate overrides as dollars per million tokens.
/// </summary>
internal sealed record ContractDto(
    string Id,
    string CustomerId,
    string Status,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    DateTimeOffset? CancelledAt,
    string MonthlyCommitment,
    string DiscountPercent,
    IReadOnlyDictionary<string, RatesDto> RateOverrides,
    IReadOnlyList<string> EntitledModels,
    DateTimeOffset CreatedAt)
{
    public static ContractDto From(Contract c, DateTimeOffset now) => new(
        c.Id, c.CustomerId, StoredNames.Of(c.StatusAt(now)), c.StartsAt, c.EndsAt, c.CancelledAt, Money.Format(c.MonthlyCommitment),
        Money.Format(c.DiscountPercent), c.RateOverrides.ToDictionary(o => o.Key, o => ContractTerms.View(o.Value), StringComparer.Ordinal),
        c.EntitledModels, c.CreatedAt);
}

/// <summary>
/// Creating a contract needs every field but the pricing ones; an update names only what changes
/// (the customer and start cannot change; an empty <c>rate_overrides</c> object removes them all).
/// </summary>
internal sealed record ContractRequest(
    string? CustomerId,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string? MonthlyCommitment,
    string? DiscountPercent,
    IReadOnlyDictionary<string, RatesDto>? RateOverrides,
    IReadOnlyList<string>? EntitledModels);

/// <summary>The terms kept as one JSON document beside the contract's term columns.</summary>
internal sealed record ContractTerms(
    string MonthlyCommitment,
    string DiscountPercent,
    IReadOnlyDictionary<string, RatesDto> RateOverrides,
    IReadOnlyList<string> EntitledModels)
{
    public static string ToJson(Contract c) => JsonSerializer.Serialize(
        new ContractTerms(Money.Format(c.MonthlyCommitment), Money.Format(c.DiscountPercent),
            c.RateOverrides.ToDictionary(o => o.Key, o => View(o.Value), StringComparer.Ordinal), c.EntitledModels),
        ContractJson.Default.ContractTerms);

    public static Contract Parse(string json, string id, string customerId, DateTimeOffset startsAt, DateTimeOffset endsAt, DateTimeOffset? cancelledAt,
        DateTimeOffset createdAt)
    {
        var terms = JsonSerializer.Deserialize(json, ContractJson.Default.ContractTerms)
            ?? throw new InvalidDataException($"Stored contract '{id}' has no terms.");
        var overrides = terms.RateOverrides.ToDictionary(
            o => o.Key,
            o => RatesParser.Read(o.Value, "rate_overrides", MoneyBounds.Stored.MaxPrice, out _) ?? throw new InvalidDataException($"Stored contract '{id}' has invalid rates for '{o.Key}'."),
            StringComparer.Ordinal);
        return new Contract(id, customerId, startsAt, endsAt, Money.Parse(terms.MonthlyCommitment), Money.Parse(terms.DiscountPercent), overrides,
            terms.EntitledModels, createdAt) { CancelledAt = cancelledAt };
    }

    public static RatesDto View(TokenRates r) => new(Money.Format(r.InputPerMillion), Money.Format(r.CachedInputPerMillion),
        Money.Format(r.OutputPerMillion), Money.Format(r.RequestFee), CacheWrite: RatesParser.FormatOptional(r.CacheWritePerMillion));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ContractTerms))]
[JsonSerializable(typeof(ContractDto))]
[JsonSerializable(typeof(GateRuleDto))]
[JsonSerializable(typeof(InvitationDto))]
internal sealed partial class ContractJson : JsonSerializerContext;
