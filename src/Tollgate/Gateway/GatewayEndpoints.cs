using Tollgate.Upstreams;

namespace Tollgate.Gateway;

/// <summary>The data plane's routes. Any other <c>/v1</c> path is 404: nothing is proxied blindly.</summary>
internal static class GatewayEndpoints
{
    public static void MapGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/chat/completions", (HttpContext http, GatewayPipeline pipeline) => pipeline.RunAsync(http, ModelOperation.ChatCompletions));
        endpoints.MapPost("/v1/embeddings", (HttpContext http, GatewayPipeline pipeline) => pipeline.RunAsync(http, ModelOperation.Embeddings));
        endpoints.MapGet("/v1/models", (HttpContext http, ModelsEndpoint models) => models.ListAsync(http));
        endpoints.MapGet("/v1/models/{id}", (HttpContext http, string id, ModelsEndpoint models) => models.GetAsync(http, id));
        endpoints.Map("/v1/{**rest}", (HttpContext http) => ApiErrorWriter.WriteAsync(http,
            ApiError.NotFound($"Unknown request URL: {http.Request.Method} {http.Request.Path}.")));
    }
}
