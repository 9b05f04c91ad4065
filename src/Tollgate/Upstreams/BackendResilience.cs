using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Tollgate.Upstreams;

/// <summary>
/// Retries and circuit breaking for each backend (Polly). A call is retried with jittered
/// exponential backoff when it failed in a way another try may cure (unreachable, 5xx, busy),
/// waiting the backend's own <c>retry-after</c> when it gave one that is short enough. Everything
/// here happens before the first byte reaches the client (a stream counts as started only at its
/// first event), so an attempt that failed is never billed. Each backend has a circuit breaker:
/// when most of its recent calls failed it is not called for a while, then one probe call decides
/// whether it is closed again. The breaker's state is what <see cref="BackendHealth"/> reports and
/// the routing orders by.
/// </summary>
internal sealed class BackendResilience(IOptions<UpstreamResilienceOptions> options, BackendHealth health, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline<BackendAttempt>> _pipelines = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="attempt"/> under the backend's retry and breaker; an open breaker answers a failure without calling.</summary>
    public async Task<BackendAttempt> RunAsync(string backendId, Func<CancellationToken, Task<BackendAttempt>> attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipelines.GetOrAdd(backendId, Build).ExecuteAsync(
                static async (state, token) => await state(token), attempt, cancellationToken);
        }
        catch (BrokenCircuitException)
        {
            return BackendAttempt.Failed(new BackendFailure(BackendFailureKind.Unreachable, "circuit open after repeated failures"));
        }
    }

    private ResiliencePipeline<BackendAttempt> Build(string backendId)
    {
        var o = options.Value;
        var breaker = new ResiliencePipelineBuilder<BackendAttempt> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<BackendAttempt>
            {
                // A refusal (4xx) or a busy backend is no fault of the backend's.
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result?.Failure is { Kind: not (BackendFailureKind.ClientError or BackendFailureKind.Busy) }),
                FailureRatio = o.BreakerFailureRatio,
                MinimumThroughput = o.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(o.BreakerSamplingSeconds),
                BreakDuration = TimeSpan.FromSeconds(o.BreakerBreakSeconds),
                OnOpened = args =>
                {
                    health.BreakerOpened(backendId, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    health.BreakerClosed(backendId);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        // Waits are real waits: the retry runs on the system clock even where tests fake the breaker's.
        var retry = new ResiliencePipelineBuilder<BackendAttempt> { TimeProvider = TimeProvider.System };
        if (o.Retries > 0)
        {
            retry.AddRetry(new RetryStrategyOptions<BackendAttempt>
            {
                MaxRetryAttempts = o.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(o.RetryDelayMs),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.Failure is { } f && Retryable(f, o)),
                // The backend said when it expects room again: wait that long rather than guess.
                DelayGenerator = static args => ValueTask.FromResult(args.Outcome.Result?.Failure?.RetryAfter),
            });
        }
        return retry.AddPipeline(breaker).Build();
    }

    /// <summary>Unreachable, 5xx and busy may pass on another try; a timeout already took its time, a refusal is final.</summary>
    private static bool Retryable(BackendFailure failure, UpstreamResilienceOptions o) => failure.Kind switch
    {
        BackendFailureKind.Unreachable => true,
        BackendFailureKind.ServerError or BackendFailureKind.Busy => failure.RetryAfter is not { } wait || wait <= TimeSpan.FromSeconds(o.MaxRetryAfterSeconds),
        _ => false,
    };
}

/// <summary>One try at a backend, up to its first byte: the response (and a stream's first event), or why it failed.</summary>
internal sealed record BackendAttempt(BackendResponse? Response, Gateway.PrimedStream? Stream, BackendFailure? Failure)
{
    public static BackendAttempt Failed(BackendFailure failure) => new(null, null, failure);
}

/// <summary>Upstream retries and circuit breakers (configuration section <c>Upstreams:Resilience</c>).</summary>
internal sealed record UpstreamResilienceOptions
{
    public const string Section = "Upstreams:Resilience";

    /// <summary>Tries after the first at the same backend, before falling through to the next; 0 turns retries off.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Base delay of the jittered exponential backoff.</summary>
    public double RetryDelayMs { get; init; } = 100;

    /// <summary>A backend's <c>retry-after</c> up to this is waited for; a longer one falls through to the next backend at once.</summary>
    public double MaxRetryAfterSeconds { get; init; } = 5;

    /// <summary>Share of failed calls within the sampling window that opens the breaker.</summary>
    public double BreakerFailureRatio { get; init; } = 0.5;

    /// <summary>Calls within the sampling window before the breaker may open.</summary>
    public int BreakerMinimumThroughput { get; init; } = 10;

    public double BreakerSamplingSeconds { get; init; } = 30;

    /// <summary>How long an open breaker refuses calls before it lets one probe through (half-open).</summary>
    public double BreakerBreakSeconds { get; init; } = 30;
}
