using Tollgate.Gateway.Stages;
using Tollgate.Upstreams;

namespace Tollgate.Gateway;

/// <summary>
/// The request path, in order, in one place. Every <c>/v1</c> call that reaches a model goes
/// through exactly these stages:
/// <code>
/// authenticate → (storage healthy) → admit → limit (rates, then the subscription allowance) → reserve → route + forward → meter → settle → respond
/// </code>
/// Each stage either lets the request through or ends it with one error in OpenAI's shape.
/// Other wire formats (<c>/v1/responses</c>, <c>/v1/messages</c>) run the same stages: their
/// <see cref="Surfaces.WireSurface"/> translates the body to chat at admission, the answer back in
/// respond and relay, and errors into its own shape; it decides nothing about money or access.
/// Streams meter and settle inside the relay, before the stream's tail is sent. A reservation
/// still held when the request ends (any error, timeout, disconnect or exception) is released
/// as the request is disposed.
/// </summary>
internal sealed class GatewayPipeline(
    Authenticate authenticate,
    Admit admit,
    Limit limit,
    Allowance allowance,
    Reserve reserve,
    Forward forward,
    Respond respond,
    Relay relay,
    Storage.StorageGuard storage,
    Hosting.GatewayMetrics metrics,
    TimeProvider time)
{
    public async Task RunAsync(HttpContext http, ModelOperation operation, Surfaces.WireSurface? surface = null)
    {
        using var request = new GatewayRequest(http, operation, RequestIds.Current(http), time.GetUtcNow()) { Surface = surface };
        http.Features.Set(request);
        surface?.WriteHeaders(http.Response, request.RequestId);
        try
        {
            await RunStagesAsync(request, http);
        }
        catch (Storage.Redis.SharedStateUnavailableException) when (!http.Response.HasStarted)
        {
            // Without the cluster's shared counters no limit can be proven: fail closed, nothing is served or billed.
            await FailAsync(request, Storage.Redis.SharedStateOutage.Error("the request was not served"), Storage.Redis.SharedStateOutage.RetryAfter);
        }
    }

    private async Task RunStagesAsync(GatewayRequest request, HttpContext http)
    {
        if (authenticate.Run(request) is { } unauthenticated)
        {
            await FailAsync(request, unauthenticated);
            return;
        }
        if (storage.Tripped)
        {
            // Usage could not be recorded: serve nothing new rather than serve it unbilled.
            await FailAsync(request, Storage.StorageGuard.Refusal(), Storage.StorageGuard.RetryAfter);
            return;
        }
        if (await admit.RunAsync(request) is { } refused)
        {
            await FailAsync(request, refused);
            return;
        }

        var (limited, retryAfter) = await limit.RunAsync(request);
        if (limited is not null)
        {
            metrics.Refused(request.Model.Id, limited.Status, limited.Code!);
            await ApiErrorWriter.WriteAsync(http, limited, retryAfter);
            return;
        }
        var (exhausted, resetsIn) = await allowance.RunAsync(request);
        if (exhausted is not null)
        {
            metrics.Refused(request.Model.Id, exhausted.Status, exhausted.Code!);
            await ApiErrorWriter.WriteAsync(http, exhausted, resetsIn);
            return;
        }
        if (await reserve.RunAsync(request) is { } unaffordable)
        {
            await FailAsync(request, unaffordable);
            return;
        }

        var outcome = await forward.RunAsync(request);
        if (outcome.Error is { } failed)
        {
            await FailAsync(request, failed, outcome.RetryAfter);
            return;
        }
        if (outcome.PassThrough is { } clientError)
        {
            metrics.Refused(request.Model.Id, clientError.StatusCode ?? 400, "backend_client_error");
            await Respond.PassThroughAsync(http, clientError, request.Surface);
            return;
        }
        await using var response = request.Response!;
        if (outcome.Stream is { } stream)
        {
            await relay.RunAsync(request, stream);
        }
        else if (await respond.RunAsync(request, (BackendJson)response) is { } notRecorded)
        {
            await FailAsync(request, notRecorded);
        }
    }

    private Task FailAsync(GatewayRequest request, ApiError error, TimeSpan? retryAfter = null)
    {
        // A refusal that names a chat field names the one this surface's client sent.
        error = request.Surface?.Rename(error) ?? error;
        metrics.Refused(request.Model?.Id ?? "none", error.Status, error.Code ?? error.Type);
        return ApiErrorWriter.WriteAsync(request.Http, error, retryAfter);
    }
}
