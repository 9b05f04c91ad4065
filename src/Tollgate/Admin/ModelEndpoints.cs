using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tokenization;

namespace Tollgate.Admin;

/// <summary>
/// Defines a model with its backends; a price given here becomes a new effective-dated price
/// version (history is never edited), and a backend's cost a new cost version.
/// </summary>
internal static class ModelEndpoints
{
    public static void MapModels(this RouteGroupBuilder admin) =>
        admin.MapPut("/models/{modelId}", PutAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));

    private static async Task<Results<Ok<ModelDto>, ApiErrorResult>> PutAsync(
        string modelId, PutModelRequest? body, ICatalogStore store, CatalogRefresher refresher, CatalogState catalog, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        if (!IsValidId(modelId)) return ApiErrorResult.Invalid("Model ids are 1 to 100 letters, digits, '.', '-', '_' or ':'.", "model");
        var kind = ModelKind.Chat;
        if (body.Kind is not null && !StoredNames.TryParse(body.Kind, out kind))
            return ApiErrorResult.Invalid("'kind' must be 'chat' or 'embeddings'.", "kind");
        var tier = ModelTier.Standard;
        if (body.Tier is not null && !StoredNames.TryParse(body.Tier, out tier))
            return ApiErrorResult.Invalid("'tier' must be 'standard', 'premium' or 'gated'.", "tier");
        var tokenizer = body.Tokenizer ?? TokenCounter.DefaultEncoding;
        if (!TokenCounter.IsKnown(tokenizer))
            return ApiErrorResult.Invalid($"'tokenizer' must be one of: {string.Join(", ", TokenCounter.KnownEncodings)}.", "tokenizer");
        var maxOutput = body.MaxOutputTokens ?? (kind == ModelKind.Chat ? 4096 : 0);
        if (kind == ModelKind.Chat && maxOutput < 1) return ApiErrorResult.Invalid("'max_output_tokens' must be positive.", "max_output_tokens");
        if (body.Backends is not { Length: > 0 } backends) return ApiErrorResult.Invalid("'backends' must list at least one backend.", "backends");

        var definitions = new List<BackendDefinition>();
        var costs = new List<(string BackendId, TokenRates Rates)>();
        for (var i = 0; i < backends.Length; i++)
        {
            var (definition, cost, error) = ReadBackend(modelId, backends[i], i);
            if (error is not null) return error;
            definitions.Add(definition!);
            if (cost is not null) costs.Add((definition!.Id, cost));
        }
        if (definitions.Select(d => d.Id).Distinct(StringComparer.Ordinal).Count() != definitions.Count)
            return ApiErrorResult.Invalid("Backend ids must be unique.", "backends");
        var owner = catalog.Current.Models.Values.SelectMany(m => m.Backends).FirstOrDefault(b => definitions.Any(d => d.Id == b.Id) && b.ModelId != modelId);
        if (owner is not null) return ApiErrorResult.Invalid($"Backend '{owner.Id}' belongs to model '{owner.ModelId}'.", "backends");

        TokenRates? price = null;
        if (body.Price is { } p)
        {
            price = ReadRates(p.Input, p.CachedInput, p.Output, p.RequestFee, "price", out var priceError);
            if (priceError is not null) return priceError;
        }
        var now = time.GetUtcNow();
        var effectiveFrom = body.Price?.EffectiveFrom ?? now;
        if (effectiveFrom < now - TimeSpan.FromMinutes(1))
            return ApiErrorResult.Invalid("'price.effective_from' cannot be in the past: history is never rewritten.", "price.effective_from");

        var ownedBy = string.IsNullOrWhiteSpace(body.OwnedBy)
            ? definitions.All(d => d.Kind == BackendKind.Simulator) ? Upstreams.Simulator.SimulatorBackend.OwnedBy : "tollgate"
            : body.OwnedBy;
        await store.SaveModelAsync(new ModelDefinition(modelId, kind, tier, tokenizer, maxOutput, ownedBy, definitions), cancellationToken);
        long? version = null;
        if (price is not null) version = await store.AddPriceCardAsync(modelId, effectiveFrom, price, cancellationToken);
        foreach (var (backendId, rates) in costs) await store.AddCostCardAsync(backendId, now, rates, cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        var saved = catalog.Current.Models[modelId];
        return TypedResults.Ok(new ModelDto(modelId, StoredNames.Of(kind), StoredNames.Of(tier), tokenizer, maxOutput, ownedBy,
            version ?? saved.PriceCardAt(now)?.Version, [.. definitions.Select(d => d.Id)]));
    }

    private static (BackendDefinition? Definition, TokenRates? Cost, ApiErrorResult? Error) ReadBackend(string modelId, BackendDto dto, int index)
    {
        var param = $"backends[{index}]";
        var kind = BackendKind.OpenAi;
        if (dto.Kind is not null && !StoredNames.TryParse(dto.Kind, out kind))
            return (null, null, ApiErrorResult.Invalid("'kind' must be 'open_ai' or 'simulator'.", param + ".kind"));
        var id = dto.Id ?? $"{modelId}-{index}";
        if (!IsValidId(id)) return (null, null, ApiErrorResult.Invalid("Backend ids are 1 to 100 letters, digits, '.', '-', '_' or ':'.", param + ".id"));
        if (kind == BackendKind.OpenAi && !(Uri.TryCreate(dto.BaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            return (null, null, ApiErrorResult.Invalid("'base_url' must be an absolute http(s) URL such as https://host/v1.", param + ".base_url"));
        if (dto.CapParameter is not (null or "max_tokens" or "max_completion_tokens"))
            return (null, null, ApiErrorResult.Invalid("'cap_parameter' must be 'max_tokens' or 'max_completion_tokens'.", param + ".cap_parameter"));
        if (dto.FirstByteTimeoutSeconds is <= 0 || dto.TotalTimeoutSeconds is <= 0)
            return (null, null, ApiErrorResult.Invalid("Timeouts must be positive.", param));
        var defaults = new BackendSettings();
        var settings = new BackendSettings
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
        };
        TokenRates? cost = null;
        if (dto.Cost is { } c)
        {
            cost = ReadRates(c.Input, c.CachedInput, c.Output, c.RequestFee, param + ".cost", out var error);
            if (error is not null) return (null, null, error);
        }
        return (new BackendDefinition(id, kind, settings), cost, null);
    }

    private static TokenRates? ReadRates(string? input, string? cached, string? output, string? fee, string param, out ApiErrorResult? error)
    {
        error = null;
        decimal Read(string? text, string name, decimal? fallback, out ApiErrorResult? e)
        {
            e = null;
            if (text is null && fallback is { } f) return f;
            if (!Money.TryParse(text, out var value) || !Money.IsValidRate(value))
                e = ApiErrorResult.Invalid($"'{param}.{name}' must be a non-negative decimal string with at most 6 decimals (dollars per million tokens).", $"{param}.{name}");
            return value;
        }
        var i = Read(input, "input", null, out error);
        if (error is not null) return null;
        var o = Read(output, "output", 0m, out error);
        if (error is not null) return null;
        var c = Read(cached, "cached_input", i, out error);
        if (error is not null) return null;
        var r = Read(fee, "request_fee", 0m, out error);
        return error is null ? new TokenRates(i, c, o, r) : null;
    }

    private static bool IsValidId(string id) =>
        id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':');
}
