using Tollgate.Catalog;
using Tollgate.Upstreams;

namespace Tollgate.Gateway.Stages;

/// <summary>
/// Route and forward: backends in the model's routing order (<see cref="BackendRouter"/>), those with an open circuit breaker last. A connection failure,
/// 5xx, malformed answer or timeout before anything reached the client falls through to the next
/// backend; a 4xx is the backend's verdict on the request and goes back to the client as is.
/// </summary>
internal sealed partial class Forward(BackendRegistry registry, BackendHealth health, BackendRouter router, BackendResilience resilience, TimeProvider time, ILogger<Forward> logger)
{
    public async Task<ForwardOutcome> RunAsync(GatewayRequest request)
    {
        BackendFailure? last = null;
        BackendFailure? busy = null;
        var sawTimeout = false;
        // Ordered once, when the request starts: a backend that fails during this request is not tried twice.
        foreach (var backend in router.Order(request))
        {
            var body = UpstreamBody.For(request, backend);
            var sent = time.GetTimestamp();
            // Retried (with backoff, after the backend's retry-after) and circuit-broken per backend; all before the client's first byte.
            var attempt = await resilience.RunAsync(backend.Id, _ => AttemptAsync(request, backend, body), request.Http.RequestAborted);
            if (attempt.Stream is { } primed)
            {
                health.RecordLatency(backend.Id, time.GetElapsedTime(sent));
                request.Backend = backend;
                request.Response = attempt.Response;
                return ForwardOutcome.Streaming(primed);
            }
            var response = attempt.Failure ?? attempt.Response!;
            if (response is BackendFailure failure)
            {
                if (!failure.FallsThrough)
                {
                    request.Backend = backend;
                    return ForwardOutcome.ClientError(failure);
                }
                LogBackendFailed(logger, backend.Id, failure.Kind, failure.Reason);
                if (failure.Kind == BackendFailureKind.Busy)
                {
                    busy = failure;
                    continue;
                }
                sawTimeout |= failure.Kind == BackendFailureKind.Timeout;
                last = failure;
                continue;
            }
            health.RecordLatency(backend.Id, time.GetElapsedTime(sent));
            request.Backend = backend;
            request.Response = response;
            return ForwardOutcome.Complete();
        }
        if (busy is not null)
        {
            return ForwardOutcome.Failed(
                ApiError.Unavailable($"The model '{request.Model.Id}' is at capacity ({busy.Reason}). Retry after the time in the retry-after header.", "model_overloaded"),
                busy.RetryAfter);
        }
        var message = $"No backend of model '{request.Model.Id}' could serve the request ({last?.Reason ?? busy?.Reason ?? "none configured"}).";
        return ForwardOutcome.Failed(sawTimeout && last?.Kind == BackendFailureKind.Timeout
            ? ApiError.UpstreamTimeout(message)
            : ApiError.UpstreamUnavailable(message));
    }

    /// <summary>One try: the call, and for a stream its first event (the client's 200 waits for it, so a stream that dies at once can still fall through).</summary>
    private async Task<BackendAttempt> AttemptAsync(GatewayRequest request, BackendEntry backend, byte[] body)
    {
        var response = await SendAsync(request, backend, body);
        if (response is BackendStream stream)
        {
            var primed = await StartAsync(request, backend, stream);
            if (primed.Failure is not { } broke) return new BackendAttempt(stream, primed, null);
            await stream.DisposeAsync();
            return BackendAttempt.Failed(broke);
        }
        return response is BackendFailure failure ? BackendAttempt.Failed(failure) : new BackendAttempt(response, null, null);
    }

    /// <summary>
    /// A backend that throws instead of answering is a failed backend like any other: it falls through
    /// to the next one and is marked unhealthy, and the client still gets an answer in the error shape.
    /// </summary>
    private async Task<BackendResponse> SendAsync(GatewayRequest request, BackendEntry backend, byte[] body)
    {
        try
        {
            return await registry.For(backend.Kind)
                .SendAsync(new BackendRequest(request.Operation, backend, body, request.Stream), request.Http.RequestAborted);
        }
        catch (Exception ex) when (!request.Http.RequestAborted.IsCancellationRequested)
        {
            LogBackendThrew(logger, ex, backend.Id);
            return new BackendFailure(BackendFailureKind.Unreachable, $"the call failed ({ex.GetType().Name})");
        }
    }

    private async Task<PrimedStream> StartAsync(GatewayRequest request, BackendEntry backend, BackendStream stream)
    {
        try
        {
            return await PrimedStream.StartAsync(stream, request.Http.RequestAborted);
        }
        catch (Exception ex) when (!request.Http.RequestAborted.IsCancellationRequested)
        {
            LogBackendThrew(logger, ex, backend.Id);
            return PrimedStream.Failed(new BackendFailure(BackendFailureKind.ServerError, $"the stream failed before its first event ({ex.GetType().Name})"));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calling backend {BackendId} threw instead of answering")]
    private static partial void LogBackendThrew(ILogger logger, Exception exception, string backendId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend {BackendId} failed ({Kind}: {Reason}); trying the next")]
    private static partial void LogBackendFailed(ILogger logger, string backendId, BackendFailureKind kind, string reason);
}

/// <summary>What forwarding produced: a response to finish, a client error to pass back, or a failure.</summary>
internal sealed record ForwardOutcome(ApiError? Error, BackendFailure? PassThrough, PrimedStream? Stream, TimeSpan? RetryAfter = null)
{
    public static ForwardOutcome Complete() => new(null, null, null);
    public static ForwardOutcome Streaming(PrimedStream stream) => new(null, null, stream);
    public static ForwardOutcome ClientError(BackendFailure failure) => new(null, failure, null);
    public static ForwardOutcome Failed(ApiError error, TimeSpan? retryAfter = null) => new(error, null, null, retryAfter);
}
