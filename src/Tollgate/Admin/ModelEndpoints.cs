using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Hosting;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Upstreams;

namespace Tollgate.Admin;

/// <summary>
/// The model catalog. Prices and costs are effective-dated versions: a change adds a version and
/// never edits history, so every usage event keeps the price it was charged at.
/// </summary>
internal static class ModelEndpoints
{
    public static void MapModels(this RouteGroupBuilder admin)
    {
        admin.MapGet("/models", List).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapGet("/models/{modelId}", Get).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapPut("/models/{modelId}", PutAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
        admin.MapDelete("/models/{modelId}", RetireAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
        admin.MapPost("/models/{modelId}/prices", AddPriceAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
        admin.MapPost("/backends/{backendId}/costs", AddCostAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
    }

    private static Ok<ListResponse<ModelDto>> List(CatalogState catalog, BackendHealth health, TimeProvider time)
    {
        var now = time.UtcNowStored();
        return TypedResults.Ok(new ListResponse<ModelDto>([.. catalog.Current.ModelsInOrder.Select(m => ToDto(m, health, now))], false));
    }

    private static Results<Ok<ModelDto>, ApiErrorResult> Get(string modelId, CatalogState catalog, BackendHealth health, TimeProvider time) =>
        catalog.Current.Models.TryGetValue(modelId, out var model)
            ? TypedResults.Ok(ToDto(model, health, time.UtcNowStored()))
            : ApiErrorResult.NotFound("model", modelId);

    private static async Task<Results<Ok<ModelDto>, ApiErrorResult>> PutAsync(
        string modelId, ModelRequest? body, ClaimsPrincipal user, IModelStore store, CatalogState catalog, CatalogRefresher refresher,
        BackendHealth health, IOptions<MoneyBounds> bounds, UpstreamCredentials credentials, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        catalog.Current.Models.TryGetValue(modelId, out var current);
        if (ChangedDestination(modelId, body, current) is { } changed && !user.HasClaim(AdminScopes.ClaimType, AdminScopes.Full))
            return ApiErrorResult.InsufficientScope($"Changing where a backend sends requests or which credential it sends ('{changed}') needs the 'full' scope.");
        if (ModelRequestReader.Read(modelId, body, catalog.Current, bounds.Value, credentials, out var error) is not { } parsed) return error!;
        var now = time.UtcNowStored();
        var priceFrom = parsed.PriceFrom ?? now;
        if (priceFrom < now - TimeSpan.FromMinutes(1))
            return ApiErrorResult.Invalid("'price.effective_from' cannot be in the past: history is never rewritten.", "price.effective_from");
        var before = catalog.Current.Models.TryGetValue(modelId, out var existing) ? ToDto(existing, health, now) : null;
        var after = ToDto(Preview(parsed.Definition, existing, catalog.Current, now), health, now);
        var audit = user.Audit(before is null ? "model.create" : "model.update", "model", modelId, before, after, AdminJson.Default.ModelDto, now);
        await store.SaveAsync(parsed.Definition, audit, cancellationToken);
        if (parsed.Price is { } price)
            await store.AddPriceCardAsync(modelId, priceFrom, price, user.Audit<RatesDto>("price.add", "model", modelId, null, ToRatesDto(price, priceFrom), AdminJson.Default.RatesDto, now), cancellationToken);
        foreach (var (backendId, cost) in parsed.Costs)
            await CostCards.AddAsync(store, user, backendId, now, cost, now, cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return TypedResults.Ok(ToDto(catalog.Current.Models[modelId], health, now));
    }

    private static async Task<Results<Ok<ModelDto>, ApiErrorResult>> RetireAsync(
        string modelId, ClaimsPrincipal user, IModelStore store, CatalogState catalog, CatalogRefresher refresher, BackendHealth health, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!catalog.Current.Models.TryGetValue(modelId, out var model)) return ApiErrorResult.NotFound("model", modelId);
        var now = time.UtcNowStored();
        var dto = ToDto(model, health, now);
        await store.RetireAsync(modelId, now, user.Audit("model.retire", "model", modelId, dto, null, AdminJson.Default.ModelDto, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<ModelDto>, ApiErrorResult>> AddPriceAsync(
        string modelId, RatesDto? body, ClaimsPrincipal user, IModelStore store, CatalogState catalog, CatalogRefresher refresher, BackendHealth health,
        IOptions<MoneyBounds> bounds, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!catalog.Current.Models.TryGetValue(modelId, out _)) return ApiErrorResult.NotFound("model", modelId);
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        if (RatesParser.Read(body, "price", bounds.Value.MaxPrice, out var error) is not { } rates) return error!;
        var now = time.UtcNowStored();
        var from = body.EffectiveFrom ?? now;
        if (from < now - TimeSpan.FromMinutes(1))
            return ApiErrorResult.Invalid("'effective_from' cannot be in the past: history is never rewritten.", "effective_from");
        await store.AddPriceCardAsync(modelId, from, rates, user.Audit<RatesDto>("price.add", "model", modelId, null, ToRatesDto(rates, from), AdminJson.Default.RatesDto, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return TypedResults.Ok(ToDto(catalog.Current.Models[modelId], health, now));
    }

    private static async Task<Results<Ok<ModelDto>, ApiErrorResult>> AddCostAsync(
        string backendId, CostCardRequest? body, ClaimsPrincipal user, IModelStore store, CatalogState catalog, CatalogRefresher refresher, BackendHealth health,
        IOptions<MoneyBounds> bounds, TimeProvider time, CancellationToken cancellationToken)
    {
        var model = catalog.Current.ModelsInOrder.FirstOrDefault(m => m.Backends.Any(b => b.Id == backendId));
        if (model is null) return ApiErrorResult.NotFound("backend", backendId);
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        if (CostCards.Read(body, "cost", bounds.Value.MaxPrice, out var error) is not { } cost) return error!;
        var now = time.UtcNowStored();
        var from = body.EffectiveFrom ?? now;
        if (from < now - TimeSpan.FromMinutes(1))
            return ApiErrorResult.Invalid("'effective_from' cannot be in the past: history is never rewritten.", "effective_from");
        await CostCards.AddAsync(store, user, backendId, from, cost, now, cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return TypedResults.Ok(ToDto(catalog.Current.Models[model.Id], health, now));
    }

    /// <summary>
    /// The first backend setting that decides where requests go or what credential they carry (URL, credential
    /// variable, model file) and differs from the backend of that id today, as its field; null when none does.
    /// Prices and costs are <c>billing</c>'s; these could send customers' traffic or a secret elsewhere, so they are <c>full</c>'s.
    /// </summary>
    private static string? ChangedDestination(string modelId, ModelRequest body, ModelEntry? current)
    {
        for (var i = 0; i < (body.Backends?.Length ?? 0); i++)
        {
            var dto = body.Backends![i];
            var id = dto.Id ?? $"{modelId}-{i}";
            var settings = current?.Backends.FirstOrDefault(b => b.Id == id)?.Settings;
            if (dto.BaseUrl != settings?.BaseUrl) return $"backends[{i}].base_url";
            if (dto.ApiKeyEnv != settings?.ApiKeyEnv) return $"backends[{i}].api_key_env";
            if (dto.ModelPath != settings?.ModelPath) return $"backends[{i}].model_path";
        }
        return null;
    }

    /// <summary>The model as the definition will make it, keeping its price history and its backends' cost history.</summary>
    private static ModelEntry Preview(ModelDefinition definition, ModelEntry? existing, CatalogSnapshot snapshot, DateTimeOffset now)
    {
        var costs = snapshot.ModelsInOrder.SelectMany(m => m.Backends).ToDictionary(b => b.Id, b => b.CostCards, StringComparer.Ordinal);
        return new ModelEntry(definition.Id, definition.Kind, definition.Tier, definition.Tokenizer, definition.MaxOutputTokens, definition.OwnedBy,
            existing?.CreatedAt ?? now, existing?.PriceCards ?? [],
            [.. definition.Backends.Select((b, i) => new BackendEntry(b.Id, definition.Id, i, b.Kind, b.Settings, costs.GetValueOrDefault(b.Id, [])))])
        { Routing = definition.Routing };
    }

    private static RatesDto ToRatesDto(Billing.Pricing.TokenRates rates, DateTimeOffset from)
    {
        var view = RatesParser.View(0, from, rates);
        return new RatesDto(view.Input, view.CachedInput, view.Output, view.RequestFee, from, view.CacheWrite);
    }

    internal static ModelDto ToDto(ModelEntry m, BackendHealth health, DateTimeOffset now)
    {
        var price = m.PriceCardAt(now);
        return new ModelDto(
            m.Id, StoredNames.Of(m.Kind), StoredNames.Of(m.Tier), m.Tokenizer, m.MaxOutputTokens, m.OwnedBy, m.CreatedAt,
            price is not null && m.Backends.Count > 0,
            price is null ? null : RatesParser.View(price.Version, price.EffectiveFrom, price.Rates),
            [.. m.PriceCards.Select(p => RatesParser.View(p.Version, p.EffectiveFrom, p.Rates))],
            [.. m.Backends.Select(b =>
            {
                var cost = b.CostCardAt(now);
                return new BackendView(b.Id, StoredNames.Of(b.Kind), b.Settings.BaseUrl, b.Settings.ApiKeyEnv, b.Settings.UpstreamModel,
                    b.Settings.CapParameter, b.Settings.FirstByteTimeoutSeconds, b.Settings.TotalTimeoutSeconds, health.IsHealthy(b.Id),
                    cost is null ? null : CostCards.View(cost),
                    [.. b.CostCards.Select(CostCards.View)],
                    b.Kind switch
                    {
                        BackendKind.Llama => new LocalModelView(b.Settings.ModelPath, b.Settings.ContextSize, b.Settings.Threads, b.Settings.Concurrency, b.Settings.QueueLength),
                        BackendKind.LocalEmbeddings => new LocalModelView(null, null, null, b.Settings.Concurrency, b.Settings.QueueLength),
                        _ => null,
                    },
                    b.Settings.Weight,
                    health.LatencyMs(b.Id));
            })],
            StoredNames.Of(m.Routing));
    }
}
