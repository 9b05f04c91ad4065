namespace Tollgate.Admin;

// Admin API documents: snake_case on the wire, money as decimal strings, times as ISO 8601 UTC.

internal sealed record ListResponse<T>(string Object, IReadOnlyList<T> Data, bool HasMore)
{
    public ListResponse(IReadOnlyList<T> data, bool hasMore)
        : this("list", data, hasMore)
    {
    }
}

/// <summary>Money limits are decimal strings; an empty string removes the limit.</summary>
/// <remarks><c>rate_limits</c> given replaces the whole set; <c>{}</c> removes them.</remarks>
internal sealed record CustomerRequest(string? Name, string? BillingMode, string? CreditLimit = null, string? MonthlyBudget = null, Limits.RateLimits? RateLimits = null);

internal sealed record CustomerDto(string Id, string Name, string BillingMode, DateTimeOffset CreatedAt, string? CreditLimit, string? MonthlyBudget, Limits.RateLimits? RateLimits);

internal sealed record GrantRequest(string? Amount, string? Kind, DateTimeOffset? ExpiresAt, string? Note);

internal sealed record GrantDto(string Id, string Kind, string Amount, string Remaining, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, bool Expired);

internal sealed record WalletDto(string CustomerId, string Balance, string Reserved, string Available, string? CreditLimit, IReadOnlyList<GrantDto> Grants);

internal sealed record KeyRequest(string? Name, string[]? Models, DateTimeOffset? ExpiresAt, string? Budget = null, string? BudgetPeriod = null, Limits.RateLimits? RateLimits = null);

/// <summary>An empty <c>budget</c> string removes the key's budget.</summary>
internal sealed record KeyUpdateRequest(string? Name, string[]? Models, DateTimeOffset? ExpiresAt, bool? AllModels, bool? NoExpiry, string? Budget = null, string? BudgetPeriod = null,
    Limits.RateLimits? RateLimits = null);

/// <summary>One key of an import: its customer and what a single key's creation accepts.</summary>
internal sealed record KeyImportEntry(string? CustomerId, string? Name, string[]? Models, DateTimeOffset? ExpiresAt, string? Budget = null, string? BudgetPeriod = null,
    Limits.RateLimits? RateLimits = null);

internal sealed record KeyImportRequest(IReadOnlyList<KeyImportEntry?>? Keys);

/// <summary>The created keys with their secrets, in the order they were listed: shown once, like a single key's.</summary>
internal sealed record KeyImportResponse(IReadOnlyList<CreatedKeyDto> Data);

internal sealed record RotateKeyRequest(int? ExpireOldInSeconds);

internal sealed record KeyDto(string Id, string Prefix, string CustomerId, string Name, string[]? Models, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt, string Status,
    string? Budget, string? BudgetPeriod, Limits.RateLimits? RateLimits);

/// <summary>The only document that ever holds an API key's secret: the answer to its creation or rotation.</summary>
internal sealed record CreatedKeyDto(string Key, KeyDto ApiKey);

/// <summary>Rates as decimal strings; <c>cache_write</c> unset means cache writes are priced as input.</summary>
internal sealed record RatesDto(string? Input, string? CachedInput, string? Output, string? RequestFee, DateTimeOffset? EffectiveFrom = null, string? CacheWrite = null);

/// <summary>A card's rates; <c>cache_write</c> is null when the card leaves cache writes at the input rate.</summary>
internal sealed record RatesView(long Version, DateTimeOffset EffectiveFrom, string Input, string CachedInput, string Output, string RequestFee, string? CacheWrite);

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
    CostCardRequest? Cost,
    string? ModelPath = null,
    int? ContextSize = null,
    int? Threads = null,
    int? Concurrency = null,
    int? QueueLength = null,
    int? Weight = null);

internal sealed record ModelRequest(
    string? Kind,
    string? Tier,
    string? Tokenizer,
    int? MaxOutputTokens,
    string? OwnedBy,
    BackendDto[]? Backends,
    RatesDto? Price,
    string? Routing = null);

internal sealed record BackendView(
    string Id,
    string Kind,
    string? BaseUrl,
    string? ApiKeyEnv,
    string? UpstreamModel,
    string CapParameter,
    double FirstByteTimeoutSeconds,
    double TotalTimeoutSeconds,
    bool Healthy,
    CostCardView? Cost,
    IReadOnlyList<CostCardView> CostHistory,
    LocalModelView? Local = null,
    int Weight = 1,
    double? LatencyMs = null);

/// <summary>The in-process settings of a <c>llama</c> or <c>local_embeddings</c> backend.</summary>
internal sealed record LocalModelView(string? ModelPath, int? ContextSize, int? Threads, int Concurrency, int QueueLength);

internal sealed record ModelDto(
    string Id,
    string Kind,
    string Tier,
    string Tokenizer,
    int MaxOutputTokens,
    string OwnedBy,
    DateTimeOffset CreatedAt,
    bool Servable,
    RatesView? Price,
    IReadOnlyList<RatesView> PriceHistory,
    IReadOnlyList<BackendView> Backends,
    string Routing = "priority");

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
    DateTimeOffset CompletedAt,
    long CacheWriteTokens);

internal sealed record UsageSummaryRowDto(
    string Group,
    long Requests,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    string ListAmount,
    string ChargedAmount,
    string CostToServe,
    long CacheWriteTokens);

internal sealed record UsageSummaryDto(string GroupBy, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageSummaryRowDto> Data);

internal sealed record AdminTokenRequest(string? Name, string[]? Scopes);

internal sealed record AdminTokenDto(string Id, string Name, string[] Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

internal sealed record CreatedAdminTokenDto(string Token, AdminTokenDto AdminToken);

internal sealed record AuditEntryDto(long Id, string Actor, string Action, string TargetType, string TargetId, System.Text.Json.JsonElement? Before, System.Text.Json.JsonElement? After, DateTimeOffset At);

/// <summary>A webhook endpoint to create or change. <c>events</c> lists event types, or <c>["*"]</c> for every type; an empty <c>description</c> removes it.</summary>
internal sealed record WebhookEndpointRequest(string? Url, string[]? Events, string? Description = null, bool? Enabled = null);

/// <summary>Never holds a signing secret: only the answers to creation and rotation do.</summary>
internal sealed record WebhookEndpointDto(string Id, string Url, string? Description, string[] Events, bool Enabled, DateTimeOffset CreatedAt,
    DateTimeOffset? SecretRotatedAt, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset? DeletedAt);

internal sealed record CreatedWebhookEndpointDto(string Secret, WebhookEndpointDto WebhookEndpoint);

internal sealed record RotateWebhookSecretRequest(int? ExpirePreviousInSeconds);

internal sealed record WebhookAttemptDto(int Attempt, DateTimeOffset At, int? StatusCode, string? Error, int DurationMs);

internal sealed record WebhookDeliveryDto(string Id, string EndpointId, string EventId, string EventType, string Status, int Attempts, int? LastStatusCode,
    string? LastError, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, DateTimeOffset CreatedAt, IReadOnlyList<WebhookAttemptDto>? AttemptLog = null);

/// <summary>An event as its deliveries send it: <c>payload</c> is the signed body.</summary>
internal sealed record WebhookEventDto(string Id, string Type, DateTimeOffset CreatedAt, System.Text.Json.JsonElement Payload);
