using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using Tollgate.Billing.Catalog;
using Tollgate.Upstreams;

namespace Tollgate.Gateway.Stages;

/// <summary>
/// The request is well-formed and within limits, its model exists, is priced (an unpriced model
/// is not servable, so nothing is ever billed $0 by mistake), and this key may call it.
/// </summary>
internal sealed class Admit(IOptions<GatewayOptions> options, Gates.Gatekeeper gatekeeper, Distillation.DistillationWatch watch, TimeProvider time)
{
    public async Task<ApiError?> RunAsync(GatewayRequest request)
    {
        var limit = options.Value.MaxRequestBytes;
        var read = await RequestBodyReader.ReadAsync(request.Http.Request, limit, request.Http.RequestAborted);
        if (read is not { } body)
            return new ApiError(StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large",
                $"The request body is larger than the limit of {limit} bytes.");
        // Checked whole and first: a string is decoded only where a field is read, and the rest is forwarded as sent.
        if (!Utf8.IsValid(body.Buffer.AsSpan(0, body.Length)))
        {
            ArrayPool<byte>.Shared.Return(body.Buffer);
            return ApiError.InvalidRequest("The request body is not valid UTF-8.", code: "invalid_encoding");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Buffer.AsMemory(0, body.Length));
        }
        catch (JsonException)
        {
            ArrayPool<byte>.Shared.Return(body.Buffer);
            return ApiError.InvalidRequest("We could not parse the JSON body of your request. Send a JSON object.");
        }
        request.SetBody(body.Buffer, body.Length, document);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            return ApiError.InvalidRequest("The request body must be a JSON object.");
        if (SafeJson.HasLoneSurrogateEscape(body.Buffer.AsSpan(0, body.Length)))
            return ApiError.InvalidRequest("The request holds a \\u escape of half a surrogate pair, which is not text.", code: "invalid_encoding");
        if (SafeJson.FirstDuplicate(root, nested: false) is { } duplicate)
            return ApiError.InvalidRequest($"The field '{duplicate}' appears more than once.", duplicate, "duplicate_parameter");
        if (!root.TryGetProperty("model", out var modelField) || modelField.ValueKind != JsonValueKind.String || modelField.GetString() is not { Length: > 0 } modelId)
            return ApiError.InvalidRequest("You must provide a model parameter.", "model", "missing_required_parameter");
        if (request.Surface is { } surface)
        {
            // Another wire format: from here on every stage reads its chat-completions translation.
            var translated = surface.ToChat(root);
            if (translated.Error is { } untranslatable) return untranslatable;
            request.ReplaceBody(translated.Body!);
            root = request.Body.RootElement;
        }

        var shapeError = request.Operation == ModelOperation.Embeddings ? CheckEmbeddings(root) : CheckChat(request, root);
        if (shapeError is not null) return shapeError;

        if (!request.Snapshot.Models.TryGetValue(modelId, out var model)) return ApiError.ModelNotFound(modelId);
        var now = time.GetUtcNow();
        var restriction = model.Tier == ModelTier.Gated ? request.Snapshot.RestrictionOf(request.Customer.Id, modelId) : null;
        if (restriction is { Kind: Distillation.FlagStatus.Suspended })
            return new ApiError(StatusCodes.Status403Forbidden, "invalid_request_error", "model_gated",
                $"Access to the model '{modelId}' is suspended for this account after a review. Contact the operator.", "model");
        if (model.Tier == ModelTier.Gated)
        {
            var decision = gatekeeper.Decide(request.Snapshot, request.Customer, modelId, now);
            if (!decision.Allowed) return ApiError.ModelGated(modelId, decision.HowToQualify);
            request.GateVia = decision.Via;
        }
        if (!request.Key.MayUse(modelId)) return ApiError.ModelNotFound(modelId);
        var price = model.PriceCardAt(now);
        if (price is null || model.Backends.Count == 0) return ApiError.ModelNotFound(modelId);
        var expected = request.Operation == ModelOperation.Embeddings ? ModelKind.Embeddings : ModelKind.Chat;
        if (model.Kind != expected)
            return ApiError.InvalidRequest(
                $"The model '{modelId}' is {(model.Kind == ModelKind.Embeddings ? "an embeddings model: call /v1/embeddings" : "a chat model: call /v1/chat/completions")}.",
                "model", "model_not_supported");
        request.Model = model;
        request.Price = price;
        request.Contract = request.Snapshot.ContractAt(request.Customer.Id, now);
        if (model.Tier == ModelTier.Gated)
        {
            watch.Admitted(request);
            if (restriction is { RequestsPerMinute: { } perMinute } && request.Watched?.InMinute(now) > perMinute)
            {
                ApiErrorWriter.SetRetryAfter(request.Http.Response, TimeSpan.FromSeconds(60 - now.Second));
                return new ApiError(StatusCodes.Status429TooManyRequests, "requests", "rate_limit_exceeded",
                    $"This account is limited to {perMinute} requests a minute on '{modelId}' after a review. Retry in the next minute.");
            }
        }
        return request.Operation == ModelOperation.ChatCompletions ? CheckOutputCap(request, root, model.MaxOutputTokens) : null;
    }

    private ApiError? CheckChat(GatewayRequest request, JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages))
            return ApiError.InvalidRequest("You must provide a messages parameter.", "messages", "missing_required_parameter");
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            return ApiError.InvalidRequest("'messages' must be a non-empty array.", "messages");
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                return ApiError.InvalidRequest($"Each message must be an object with a 'role' (messages[{index}]).", $"messages[{index}]");
            index++;
        }
        if (root.TryGetProperty("stream", out var stream))
        {
            if (stream.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                return ApiError.InvalidRequest("'stream' must be a boolean.", "stream");
            request.Stream = stream.ValueKind == JsonValueKind.True;
        }
        if (root.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind != JsonValueKind.Null)
        {
            if (!request.Stream)
                return ApiError.InvalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options");
            if (streamOptions.ValueKind != JsonValueKind.Object)
                return ApiError.InvalidRequest("'stream_options' must be an object.", "stream_options");
            request.ClientWantsUsage = streamOptions.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;
        }
        if (root.TryGetProperty("n", out var n) && n.ValueKind != JsonValueKind.Null)
        {
            var max = options.Value.MaxChoices;
            if (!n.TryReadInt32(out var choices) || choices < 1 || choices > max)
                return ApiError.InvalidRequest($"'n' must be an integer from 1 to {max}.", "n");
            request.Choices = choices;
        }
        return null;
    }

    private static ApiError? CheckOutputCap(GatewayRequest request, JsonElement root, int modelMax)
    {
        int? cap = null;
        foreach (var name in (string[])["max_completion_tokens", "max_tokens"])
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) continue;
            if (!value.TryReadInt32(out var asked) || asked < 1)
                return ApiError.InvalidRequest($"'{name}' must be a positive integer.", name);
            if (asked > modelMax)
                return ApiError.InvalidRequest(
                    $"'{name}' is too large: {asked}. This model supports at most {modelMax} completion tokens.", name);
            cap = cap is null ? asked : Math.Min(cap.Value, asked);
        }
        request.OutputCap = cap ?? modelMax;
        return null;
    }

    private static ApiError? CheckEmbeddings(JsonElement root)
    {
        if (!root.TryGetProperty("input", out var input))
            return ApiError.InvalidRequest("You must provide an input parameter.", "input", "missing_required_parameter");
        var valid = input.ValueKind switch
        {
            JsonValueKind.String => input.GetString()!.Length > 0,
            JsonValueKind.Array => input.GetArrayLength() > 0 && IsUniformInput(input),
            _ => false,
        };
        if (!valid)
            return ApiError.InvalidRequest(
                "'input' must be a non-empty string, an array of non-empty strings, or an array of token arrays.", "input");
        if (root.TryGetProperty("encoding_format", out var format) && !(format.ValueEquals("float") || format.ValueEquals("base64")))
            return ApiError.InvalidRequest("'encoding_format' must be 'float' or 'base64'.", "encoding_format");
        if (root.TryGetProperty("dimensions", out var dimensions) && (!dimensions.TryReadInt32(out var d) || d < 1))
            return ApiError.InvalidRequest("'dimensions' must be a positive integer.", "dimensions");
        return null;
    }

    private static bool IsUniformInput(JsonElement input)
    {
        var first = input[0].ValueKind;
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind != first) return false;
            var ok = item.ValueKind switch
            {
                JsonValueKind.String => item.GetString()!.Length > 0,
                JsonValueKind.Number => item.TryReadInt32(out var t) && t >= 0,
                JsonValueKind.Array => item.GetArrayLength() > 0 && item.EnumerateArray().All(t => t.TryReadInt32(out var v) && v >= 0),
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }
}
