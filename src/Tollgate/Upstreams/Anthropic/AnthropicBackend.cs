using System.Text.Json;
using Tollgate.Catalog;
using Tollgate.Upstreams.OpenAiCompatible;

namespace Tollgate.Upstreams.Anthropic;

/// <summary>
/// Anthropic's Messages API as an upstream (<c>{base_url}/messages</c>, key in <c>x-api-key</c>
/// from the named environment variable). The gateway's chat request is translated to a Messages
/// request and the answer back, usage included. Its 429 and 529 mean the upstream is busy, not
/// that the request is wrong: they fall through to the next backend, and when none is left the
/// client is told to retry after the upstream's <c>retry-after</c>.
/// </summary>
internal sealed class AnthropicBackend(UpstreamHttp http, UpstreamCredentials credentials, ILogger<OpenAiBackend> logger)
    : OpenAiBackend(http, credentials, logger)
{
    public const string Version = "2023-06-01";

    public override BackendKind Kind => BackendKind.Anthropic;

    public override Task<BackendResponse> SendAsync(BackendRequest request, CancellationToken cancellationToken)
    {
        if (request.Operation != ModelOperation.ChatCompletions)
            return Task.FromResult<BackendResponse>(BackendFailure.Invalid("Anthropic backends serve chat models only.", "model"));
        var (body, refused, param) = AnthropicRequest.Translate(request.Body);
        return body is null
            ? Task.FromResult<BackendResponse>(BackendFailure.Invalid(refused!, param))
            : base.SendAsync(request with { Body = body }, cancellationToken);
    }

    protected override string PathFor(ModelOperation operation) => "messages";

    protected override void AddHeaders(HttpRequestMessage message, string? apiKey)
    {
        if (apiKey is not null) message.Headers.Add("x-api-key", apiKey);
        message.Headers.Add("anthropic-version", Version);
    }

    protected override BackendResponse Answer(byte[] body, ModelOperation operation)
    {
        try
        {
            return AnthropicAnswer.Completion(body) is { } completion
                ? new BackendJson(completion)
                : new BackendFailure(BackendFailureKind.Malformed, "response body is not an Anthropic message");
        }
        catch (JsonException)
        {
            return new BackendFailure(BackendFailureKind.Malformed, "response body is not JSON");
        }
    }

    protected override IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(IAsyncEnumerable<ReadOnlyMemory<byte>> events) => AnthropicAnswer.Chunks(events);

    protected override BackendFailure Failure(int status, byte[] body, string? contentType, TimeSpan? retryAfter)
    {
        // 429 (the upstream's own rate limit) and 529 (overloaded) are about the upstream, not the request.
        if (status is 429 or 529)
            return new BackendFailure(BackendFailureKind.Busy, $"backend answered {status}", status, retryAfter: retryAfter ?? TimeSpan.FromSeconds(1));
        if (status is >= 400 and < 500)
        {
            // Told to the client in OpenAI's shape, as every backend's refusals are; the Messages surface shapes it back.
            return new BackendFailure(BackendFailureKind.ClientError, $"backend answered {status}", status,
                Gateway.ApiErrorWriter.ToJson(new Gateway.ApiError(status, "invalid_request_error", null, Message(body) ?? $"The backend refused the request ({status}).")),
                "application/json");
        }
        return base.Failure(status, body, contentType, retryAfter);
    }

    private static string? Message(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                   && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
