using System.Text.Json;
using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.Gateway.Stages;

namespace Tollgate.Gateway;

/// <summary>
/// <c>GET /v1/models</c> lists only what this key can call right now (priced, in scope, not
/// gated for this customer); <c>GET /v1/models/{id}</c> answers 404 or 403 exactly as a call would.
/// </summary>
internal sealed class ModelsEndpoint(Authenticate authenticate, Gates.Gatekeeper gatekeeper, TimeProvider time)
{
    public async Task ListAsync(HttpContext http)
    {
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow());
        if (authenticate.Run(request) is { } error)
        {
            await ApiErrorWriter.WriteAsync(http, error);
            return;
        }
        var now = time.GetUtcNow();
        var models = request.Snapshot.ModelsInOrder.Where(m => IsCallable(request, m, now)).Select(ToObject).ToArray();
        await WriteAsync(http, JsonSerializer.SerializeToUtf8Bytes(new ModelList("list", models), GatewayJson.Default.ModelList));
    }

    public async Task GetAsync(HttpContext http, string id)
    {
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow());
        if (authenticate.Run(request) is { } error)
        {
            await ApiErrorWriter.WriteAsync(http, error);
            return;
        }
        if (!request.Snapshot.Models.TryGetValue(id, out var model))
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.ModelNotFound(id));
            return;
        }
        var now = time.GetUtcNow();
        if (model.Tier == ModelTier.Gated && gatekeeper.Decide(request.Snapshot, request.Customer, id, now) is { Allowed: false } refused)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.ModelGated(id, refused.HowToQualify));
            return;
        }
        // The gate was decided just above; only the key's scope, price and backends are left to check.
        if (!IsServed(request, model, now))
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.ModelNotFound(id));
            return;
        }
        await WriteAsync(http, JsonSerializer.SerializeToUtf8Bytes(ToObject(model), GatewayJson.Default.ModelObject));
    }

    private bool IsCallable(GatewayRequest request, ModelEntry model, DateTimeOffset now) =>
        IsServed(request, model, now) && (model.Tier != ModelTier.Gated || gatekeeper.Decide(request.Snapshot, request.Customer, model.Id, now).Allowed);

    private static bool IsServed(GatewayRequest request, ModelEntry model, DateTimeOffset now) =>
        request.Key.MayUse(model.Id) && model.PriceCardAt(now) is not null && model.Backends.Count > 0;

    private static ModelObject ToObject(ModelEntry model) => new(model.Id, "model", model.CreatedAt.ToUnixTimeSeconds(), model.OwnedBy);

    private static Task WriteAsync(HttpContext http, byte[] json)
    {
        http.Response.ContentType = "application/json";
        return http.Response.Body.WriteAsync(json).AsTask();
    }
}
