using Tollgate.ChatHistory;
using Tollgate.Upstreams;

namespace Tollgate.Gateway;

/// <summary>The data plane's routes. Any other <c>/v1</c> path is 404: nothing is proxied blindly.</summary>
internal static class GatewayEndpoints
{
    public static void MapGateway(this IEndpointRouteBuilder endpoints)
    {
        // OpenAI's own reference documents these routes; the OpenAPI document is the admin API's.
        var v1 = endpoints.MapGroup("/v1").ExcludeFromDescription();
        v1.MapPost("/chat/completions", (HttpContext http, GatewayPipeline pipeline) => pipeline.RunAsync(http, ModelOperation.ChatCompletions));
        v1.MapPost("/responses", async (HttpContext http, GatewayPipeline pipeline, Responses.ResponseStorage storage) =>
            await pipeline.RunAsync(http, ModelOperation.ChatCompletions, await storage.SurfaceAsync(http)));
        // Stored responses exist only while the operator keeps them (ResponseStorage:Enabled); cancel and input items never.
        v1.MapGet("/responses/{id}", (HttpContext http, string id, Responses.ResponseStorage storage) => storage.GetAsync(http, id));
        v1.MapDelete("/responses/{id}", (HttpContext http, string id, Responses.ResponseStorage storage) => storage.DeleteAsync(http, id));
        v1.MapMethods("/responses/{**id}", ["GET", "DELETE", "POST"], (HttpContext http) => ApiErrorWriter.WriteAsync(http, Responses.ResponsesSurface.NotStored()));
        v1.MapPost("/messages", (HttpContext http, GatewayPipeline pipeline) => pipeline.RunAsync(http, ModelOperation.ChatCompletions, new Messages.MessagesSurface()));
        v1.MapPost("/messages/count_tokens", (HttpContext http, Messages.CountTokensEndpoint endpoint) => endpoint.PostAsync(http));
        v1.MapPost("/embeddings", (HttpContext http, GatewayPipeline pipeline) => pipeline.RunAsync(http, ModelOperation.Embeddings));
        v1.MapGet("/account", (HttpContext http, AccountEndpoint account) => account.GetAsync(http));
        v1.MapGet("/account/usage", (HttpContext http, AccountBillingEndpoints billing) => billing.UsageAsync(http));
        v1.MapGet("/account/invoices", (HttpContext http, AccountBillingEndpoints billing) => billing.InvoicesAsync(http));
        v1.MapPost("/feedback", (HttpContext http, Feedback.FeedbackEndpoint feedback) => feedback.PostAsync(http));
        v1.MapChatHistory();
        v1.MapGet("/models", (HttpContext http, ModelsEndpoint models) => models.ListAsync(http));
        v1.MapGet("/models/{id}", (HttpContext http, string id, ModelsEndpoint models) => models.GetAsync(http, id));
        v1.Map("/{**rest}", (HttpContext http) => ApiErrorWriter.WriteAsync(http,
            ApiError.NotFound($"Unknown request URL: {http.Request.Method} {http.Request.Path}.")));
    }
}
