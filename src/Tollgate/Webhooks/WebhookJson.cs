using System.Text.Json.Serialization;

namespace Tollgate.Webhooks;

/// <summary>The <c>data</c> of Tollgate's events: snake_case, money as decimal strings, times ISO 8601 UTC, as in the admin API.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BudgetThresholdData))]
[JsonSerializable(typeof(TestEventData))]
[JsonSerializable(typeof(InvoiceFinalizedData))]
internal sealed partial class WebhookJson : JsonSerializerContext;

/// <summary>
/// <c>budget.threshold</c>: a budget's spend in its period reached <see cref="ThresholdPercent"/> of its limit.
/// <c>budget</c> is <c>key</c> or <c>customer</c>; <c>period</c> is <c>monthly</c> (with its start and reset) or <c>lifetime</c>.
/// </summary>
internal sealed record BudgetThresholdData(
    string Budget,
    string CustomerId,
    string? KeyId,
    string Period,
    DateTimeOffset? PeriodStart,
    DateTimeOffset? ResetsAt,
    decimal ThresholdPercent,
    string Limit,
    string Spent,
    DateTimeOffset CrossedAt);

/// <summary><c>webhook.test</c>: sent on request to check an endpoint and its signature verification.</summary>
internal sealed record TestEventData(string EndpointId, string Message);

/// <summary><c>invoice.finalized</c>: an invoice got its number; <c>status</c> is <c>paid</c> when nothing is due (prepaid, or a zero total).</summary>
internal sealed record InvoiceFinalizedData(
    string InvoiceId,
    string Number,
    string CustomerId,
    string Period,
    string Status,
    string Total,
    string AmountDue,
    DateTimeOffset FinalizedAt);
