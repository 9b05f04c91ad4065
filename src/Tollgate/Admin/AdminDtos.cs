namespace Tollgate.Admin;

// Admin API documents: snake_case on the wire, money as decimal strings.

internal sealed record ListResponse<T>(string Object, IReadOnlyList<T> Data, bool HasMore)
{
    public ListResponse(IReadOnlyList<T> data, bool hasMore)
        : this("list", data, hasMore)
    {
    }
}

internal sealed record CreateCustomerRequest(string? Name, string? BillingMode);

internal sealed record CustomerDto(string Id, string Name, string BillingMode, DateTimeOffset CreatedAt);

internal sealed record CreateKeyRequest(string? Name, string[]? Models, DateTimeOffset? ExpiresAt);

/// <summary>The only document that ever holds an API key's secret: the answer to its creation.</summary>
internal sealed record CreatedKeyDto(string Id, string Key, string Prefix, string CustomerId, string Name, string[]? Models, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt);

internal sealed record RatesDto(string? Input, string? CachedInput, string? Output, string? RequestFee);

internal sealed record PriceDto(string? Input, string? CachedInput, string? Output, string? RequestFee, DateTimeOffset? EffectiveFrom);

internal sealed record BackendDto(
    string? Id,
    string? Kind,
    string? BaseUrl,
    string? ApiKeyEnv,
    string? UpstreamModel,
    string? CapParameter,
    double? FirstByteTimeoutSeconds,
    double? TotalTimeoutSeconds,
    double? SimulatorTimeToFirstTokenMs,
    double? SimulatorTokensPerSecond,
    int? SimulatorEmbeddingDimensions,
    RatesDto? Cost);

internal sealed record PutModelRequest(
    string? Kind,
    string? Tier,
    string? Tokenizer,
    int? MaxOutputTokens,
    string? OwnedBy,
    BackendDto[]? Backends,
    PriceDto? Price);

internal sealed record ModelDto(string Id, string Kind, string Tier, string Tokenizer, int MaxOutputTokens, string OwnedBy, long? PriceVersion, string[] Backends);

internal sealed record UsageEventDto(
    string RequestId,
    string CustomerId,
    string KeyId,
    string Model,
    string? Backend,
    long? PriceVersion,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    long ReasoningTokens,
    long Units,
    string ListAmount,
    string ChargedAmount,
    string CostToServe,
    string Status,
    string Source,
    bool Streamed,
    int LatencyMs,
    int? TimeToFirstTokenMs,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt);
