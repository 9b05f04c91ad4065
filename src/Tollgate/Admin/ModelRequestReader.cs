using Tollgate.Billing.Catalog;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tokenization;
using Tollgate.Upstreams;
using Tollgate.Upstreams.Simulator;

namespace Tollgate.Admin;

/// <summary>Validates a model definition from the admin API, naming the first field that is wrong.</summary>
internal static class ModelRequestReader
{
    // Every numeric setting has a range (listed in docs/api-reference.md), so no stored value can overflow where it is used.
    public const int MaxOutputTokens = 1_000_000;
    public const double MaxFirstByteTimeoutSeconds = 3600;
    public const double MaxTotalTimeoutSeconds = 86_400;
    public const double MaxSimulatorTimeToFirstTokenMs = 600_000;
    public const double MinSimulatorTokensPerSecond = 0.1;
    public const double MaxSimulatorTokensPerSecond = 1_000_000;

    public sealed record Parsed(ModelDefinition Definition, TokenRates? Price, DateTimeOffset? PriceFrom, IReadOnlyList<(string BackendId, ParsedCost Cost)> Costs);

    public static Parsed? Read(string modelId, ModelRequest body, CatalogSnapshot snapshot, MoneyBounds bounds, UpstreamCredentials credentials,
        out ApiErrorResult? error)
    {
        error = Check(modelId, body, out var kind, out var tier);
        if (error is not null) return null;
        var tokenizer = body.Tokenizer ?? TokenCounter.DefaultEncoding;
        var maxOutput = body.MaxOutputTokens ?? (kind == ModelKind.Chat ? 4096 : 0);
        var backends = new List<BackendDefinition>();
        var costs = new List<(string, ParsedCost)>();
        for (var i = 0; i < body.Backends!.Length; i++)
        {
            var backend = ReadBackend(modelId, kind, body.Backends[i], i, bounds, credentials, out var cost, out error);
            if (error is not null) return null;
            backends.Add(backend!);
            if (cost is not null) costs.Add((backend!.Id, cost));
        }
        if (backends.Select(d => d.Id).Distinct(StringComparer.Ordinal).Count() != backends.Count)
        {
            error = ApiErrorResult.Invalid("Backend ids must be unique.", "backends");
            return null;
        }
        var taken = snapshot.Models.Values.SelectMany(m => m.Backends).FirstOrDefault(b => b.ModelId != modelId && backends.Any(d => d.Id == b.Id));
        if (taken is not null)
        {
            error = ApiErrorResult.Invalid($"Backend '{taken.Id}' belongs to model '{taken.ModelId}'.", "backends");
            return null;
        }
        TokenRates? price = null;
        if (body.Price is { } p && (price = RatesParser.Read(p, "price", bounds.MaxPrice, out error)) is null) return null;
        var ownedBy = string.IsNullOrWhiteSpace(body.OwnedBy)
            ? backends.All(d => d.Kind == BackendKind.Simulator) ? SimulatorBackend.OwnedBy : "tollgate"
            : body.OwnedBy.Trim();
        var routing = RoutingPolicy.Priority;
        if (body.Routing is not null && !StoredNames.TryParse(body.Routing, out routing))
        {
            error = ApiErrorResult.Invalid("'routing' must be one of: priority, weighted, cost, latency.", "routing");
            return null;
        }
        return new Parsed(new ModelDefinition(modelId, kind, tier, tokenizer, maxOutput, ownedBy, backends) { Routing = routing }, price, body.Price?.EffectiveFrom, costs);
    }

    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':');

    private static ApiErrorResult? Check(string modelId, ModelRequest body, out ModelKind kind, out ModelTier tier)
    {
        kind = ModelKind.Chat;
        tier = ModelTier.Standard;
        if (!IsValidId(modelId)) return ApiErrorResult.Invalid("Model ids are 1 to 100 letters, digits, '.', '-', '_' or ':'.", "model");
        if (body.Kind is not null && !StoredNames.TryParse(body.Kind, out kind))
            return ApiErrorResult.Invalid("'kind' must be 'chat' or 'embeddings'.", "kind");
        if (body.Tier is not null && !StoredNames.TryParse(body.Tier, out tier))
            return ApiErrorResult.Invalid("'tier' must be 'standard', 'premium' or 'gated'.", "tier");
        if (body.Tokenizer is { } t && !TokenCounter.IsKnown(t))
            return ApiErrorResult.Invalid($"'tokenizer' must be one of: {string.Join(", ", TokenCounter.KnownEncodings)}.", "tokenizer");
        if (kind == ModelKind.Chat && body.MaxOutputTokens is < 1 or > MaxOutputTokens)
            return ApiErrorResult.Invalid($"'max_output_tokens' must be from 1 to {MaxOutputTokens}.", "max_output_tokens");
        if (body.Backends is not { Length: > 0 }) return ApiErrorResult.Invalid("'backends' must list at least one backend.", "backends");
        return null;
    }

    private static BackendDefinition? ReadBackend(string modelId, ModelKind modelKind, BackendDto dto, int index, MoneyBounds bounds, UpstreamCredentials credentials,
        out ParsedCost? cost, out ApiErrorResult? error)
    {
        cost = null;
        var param = $"backends[{index}]";
        var kind = BackendKind.OpenAi;
        error = null;
        if (dto.Kind is not null && !StoredNames.TryParse(dto.Kind, out kind))
            error = ApiErrorResult.Invalid($"'kind' must be one of: {string.Join(", ", Enum.GetValues<BackendKind>().Select(k => StoredNames.Of(k)))}.", param + ".kind");
        else if (dto.Id is { } id && !IsValidId(id))
            error = ApiErrorResult.Invalid("Backend ids are 1 to 100 letters, digits, '.', '-', '_' or ':'.", param + ".id");
        else if (kind is BackendKind.OpenAi or BackendKind.Anthropic && !(Uri.TryCreate(dto.BaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            error = ApiErrorResult.Invalid("'base_url' must be an absolute http(s) URL such as https://host/v1.", param + ".base_url");
        else if (kind == BackendKind.Anthropic && modelKind != ModelKind.Chat)
            error = ApiErrorResult.Invalid("An 'anthropic' backend serves chat models only.", param + ".kind");
        else if (dto.ApiKeyEnv is { } variable && credentials.Refusal(variable, dto.BaseUrl) is var (message, field))
            error = ApiErrorResult.Invalid(message, $"{param}.{field}");
        else if (dto.CapParameter is not (null or "max_tokens" or "max_completion_tokens"))
            error = ApiErrorResult.Invalid("'cap_parameter' must be 'max_tokens' or 'max_completion_tokens'.", param + ".cap_parameter");
        else if (dto.FirstByteTimeoutSeconds is not (null or > 0 and <= MaxFirstByteTimeoutSeconds))
            error = ApiErrorResult.Invalid($"'first_byte_timeout_seconds' must be above 0 and at most {MaxFirstByteTimeoutSeconds}.", param + ".first_byte_timeout_seconds");
        else if (dto.TotalTimeoutSeconds is not (null or > 0 and <= MaxTotalTimeoutSeconds))
            error = ApiErrorResult.Invalid($"'total_timeout_seconds' must be above 0 and at most {MaxTotalTimeoutSeconds}.", param + ".total_timeout_seconds");
        else if (dto.SimulatorTimeToFirstTokenMs is not (null or >= 0 and <= MaxSimulatorTimeToFirstTokenMs))
            error = ApiErrorResult.Invalid($"'simulator_time_to_first_token_ms' must be from 0 to {MaxSimulatorTimeToFirstTokenMs}.", param + ".simulator_time_to_first_token_ms");
        else if (dto.SimulatorTokensPerSecond is not (null or 0 or >= MinSimulatorTokensPerSecond and <= MaxSimulatorTokensPerSecond))
            error = ApiErrorResult.Invalid($"'simulator_tokens_per_second' must be 0 (no pacing) or from {MinSimulatorTokensPerSecond} to {MaxSimulatorTokensPerSecond}.",
                param + ".simulator_tokens_per_second");
        else if (dto.SimulatorEmbeddingDimensions is < 1 or > 8192)
            error = ApiErrorResult.Invalid("'simulator_embedding_dimensions' must be from 1 to 8192.", param + ".simulator_embedding_dimensions");
        else if (LocalBackendRules.Check(kind, modelKind, dto, param) is { } local)
            error = local;
        else if (dto.Weight is < 1 or > 1000)
            error = ApiErrorResult.Invalid("'weight' must be from 1 to 1000.", param + ".weight");
        else if (dto.Cost is { } c && (cost = CostCards.Read(c, param + ".cost", bounds.MaxPrice, out error)) is null)
            return null;
        if (error is not null) return null;
        var defaults = new BackendSettings();
        return new BackendDefinition(dto.Id ?? $"{modelId}-{index}", kind, new BackendSettings
        {
            BaseUrl = dto.BaseUrl,
            ApiKeyEnv = dto.ApiKeyEnv,
            UpstreamModel = dto.UpstreamModel,
            CapParameter = dto.CapParameter ?? defaults.CapParameter,
            FirstByteTimeoutSeconds = dto.FirstByteTimeoutSeconds ?? defaults.FirstByteTimeoutSeconds,
            TotalTimeoutSeconds = dto.TotalTimeoutSeconds ?? defaults.TotalTimeoutSeconds,
            SimulatorTimeToFirstTokenMs = dto.SimulatorTimeToFirstTokenMs ?? defaults.SimulatorTimeToFirstTokenMs,
            SimulatorTokensPerSecond = dto.SimulatorTokensPerSecond ?? defaults.SimulatorTokensPerSecond,
            SimulatorEmbeddingDimensions = dto.SimulatorEmbeddingDimensions ?? defaults.SimulatorEmbeddingDimensions,
            ModelPath = dto.ModelPath,
            ContextSize = dto.ContextSize ?? defaults.ContextSize,
            Threads = dto.Threads,
            Concurrency = dto.Concurrency ?? defaults.Concurrency,
            QueueLength = dto.QueueLength ?? defaults.QueueLength,
            Weight = dto.Weight ?? defaults.Weight,
        });
    }
}
