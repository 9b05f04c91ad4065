using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using Tollgate.Billing.Catalog;
using Tollgate.Gateway.Stages;
using Tollgate.Tokenization;

namespace Tollgate.Gateway.Messages;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: the input of a Messages request counted with the model's
/// tokenizer, the way the reservation and the meter count it. Nothing is generated, so nothing is
/// reserved or billed; the key, the model and its gate are checked as for a call.
/// </summary>
internal sealed class CountTokensEndpoint(Authenticate authenticate, IOptions<GatewayOptions> options, Gates.Gatekeeper gatekeeper, TokenCounter counter, TimeProvider time)
{
    public async Task PostAsync(HttpContext http)
    {
        var surface = new MessagesSurface(forCounting: true);
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow()) { Surface = surface };
        http.Features.Set(request);
        surface.WriteHeaders(http.Response, request.RequestId);
        var (error, count) = authenticate.Run(request) is { } unauthenticated ? (unauthenticated, 0L) : await CountAsync(request);
        if (error is not null)
        {
            await ApiErrorWriter.WriteAsync(http, error);
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(Surfaces.ChatAnswer.Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("input_tokens", count);
            w.WriteEndObject();
        }), http.RequestAborted);
    }

    private async Task<(ApiError? Error, long Count)> CountAsync(GatewayRequest request)
    {
        var limit = options.Value.MaxRequestBytes;
        if (await RequestBodyReader.ReadAsync(request.Http.Request, limit, request.Http.RequestAborted) is not { } body)
            return (new ApiError(StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large", $"The request body is larger than the limit of {limit} bytes."), 0);
        JsonDocument document;
        try
        {
            if (!Utf8.IsValid(body.Buffer.AsSpan(0, body.Length))) return (ApiError.InvalidRequest("The request body is not valid UTF-8.", code: "invalid_encoding"), 0);
            document = JsonDocument.Parse(body.Buffer.AsMemory(0, body.Length));
        }
        catch (JsonException)
        {
            return (ApiError.InvalidRequest("We could not parse the JSON body of your request. Send a JSON object."), 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body.Buffer);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (ApiError.InvalidRequest("The request body must be a JSON object."), 0);
            if (!root.TryGetProperty("model", out var modelField) || modelField.ValueKind != JsonValueKind.String || modelField.GetString() is not { Length: > 0 } modelId)
                return (ApiError.InvalidRequest("model: Field required.", "model", "missing_required_parameter"), 0);
            var translated = MessagesRequest.ToChat(root, forCounting: true);
            if (translated.Error is { } untranslatable) return (untranslatable, 0);
            if (!request.Snapshot.Models.TryGetValue(modelId, out var model)) return (ApiError.ModelNotFound(modelId), 0);
            var now = time.GetUtcNow();
            if (model.Tier == ModelTier.Gated && gatekeeper.Decide(request.Snapshot, request.Customer, modelId, now) is { Allowed: false } refused)
                return (ApiError.ModelGated(modelId, refused.HowToQualify), 0);
            if (!request.Key.MayUse(modelId) || model.PriceCardAt(now) is null || model.Backends.Count == 0 || model.Kind != ModelKind.Chat)
                return (ApiError.ModelNotFound(modelId), 0);
            using var chat = JsonDocument.Parse(translated.Body);
            return (null, ChatTokenEstimator.CountInput(counter, model.Tokenizer, chat.RootElement));
        }
    }
}
