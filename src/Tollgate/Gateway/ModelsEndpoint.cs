using System.Text.Json;
using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.Gateway.Stages;

namespace Tollgate.Gateway;

/// <summary>
/// <c>GET /v1/models</c> lists only what this key can call right now (priced, in scope, not
/// gated for this customer); <c>GET /v1/models/{id}</c> answers 404 or 403 exactly as a call would.
/// </summary>
internal sealed class ModelsEndpoint(Authenticate authenticate, TimeProvider time)
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
        var models = request.Snapshot.ModelsInOrder.Where(m => IsCallable(m, request.Key, now)).Select(ToObject).ToArray();
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
        if (model.Tier == ModelTier.Gated)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.ModelGated(id, "Access requires an enterprise contract or an invitation; contact the operator."));
            return;
        }
        if (!IsCallable(model, request.Key, time.GetUtcNow()))
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.ModelNotFound(id));
            return;
        }
        await WriteAsync(http, JsonSerializer.SerializeToUtf8Bytes(ToObject(model), GatewayJson.Default.ModelObject));
    }

    private static bool IsCallable(ModelEntry model, KeyEntry key, DateTimeOffset now) =>
        model.Tier != ModelTier.Gated && key.MayUse(model.Id) && model.PriceCardAt(now) is not null && model.Backends.Count > 0;

    private static ModelObject ToObject(ModelEntry model) => new(model.Id, "model", model.CreatedAt.ToUnixTimeSeconds(), model.OwnedBy);

    private static Task WriteAsync(HttpContext http, byte[] json)
    {
        http.Response.ContentType = "application/json";
        return http.Response.Body.WriteAsync(json).AsTask();
    }
}
