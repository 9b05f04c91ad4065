using System.Globalization;
using Tollgate.Limits;
using Tollgate.Upstreams;

namespace Tollgate.Gateway.Stages;

/// <summary>
/// Rate limits (requests and tokens per minute, requests in flight; per key and per customer),
/// with OpenAI's <c>x-ratelimit-*</c> headers on the response and 429 <c>rate_limit_exceeded</c>
/// with <c>retry-after</c> when a limit is reached.
/// </summary>
internal sealed class Limit(RateLimiter limiter)
{
    public async ValueTask<(ApiError? Error, TimeSpan RetryAfter)> RunAsync(GatewayRequest request)
    {
        if (request.Key.Limits is null && limiter.CustomerLimits(request.Customer) is null) return (null, TimeSpan.Zero);
        var cap = request.Operation == ModelOperation.ChatCompletions ? (long)request.OutputCap * request.Choices : 0;
        var estimate = (request.BodyBytes + 3) / 4 + cap;
        // Across a cluster, a request outside a subscription's allowance goes straight on to its reservation, which
        // takes the limits in its own Redis call; checked there first, so a request refused by both is refused here as before.
        if (!Allowance.Applies(request) && limiter.Join(request.Customer, request.Key, estimate) is { } joined)
        {
            request.PendingLimits = joined;
            return (null, TimeSpan.Zero);
        }
        var (hold, refusal) = await limiter.TryAdmitAsync(request.Customer, request.Key, estimate, request.RequestId);
        if (hold is null)
        {
            WriteHeaders(request.Http, refusal!.Readings);
            return (Refused(refusal), refusal.RetryAfter);
        }
        request.Limits = hold;
        WriteHeaders(request.Http, hold.Headers);
        return (null, TimeSpan.Zero);
    }

    /// <summary>The 429 for a limit reached, with its <c>retry-after</c> set.</summary>
    public static ApiError Refused(LimitRefusal refusal) =>
        new(StatusCodes.Status429TooManyRequests, "requests", "rate_limit_exceeded",
            $"Rate limit reached for {refusal.What} on {refusal.Scope}: limit {refusal.Limit.ToString(CultureInfo.InvariantCulture)}. " +
            $"Please try again in {Duration(refusal.RetryAfter)}.");

    public static void WriteHeaders(HttpContext http, IReadOnlyList<LimitReading> readings)
    {
        foreach (var reading in readings)
        {
            var headers = http.Response.Headers;
            headers[$"x-ratelimit-limit-{reading.Name}"] = reading.Limit.ToString(CultureInfo.InvariantCulture);
            headers[$"x-ratelimit-remaining-{reading.Name}"] = reading.Remaining.ToString(CultureInfo.InvariantCulture);
            headers[$"x-ratelimit-reset-{reading.Name}"] = Duration(reading.ResetsIn);
        }
    }

    /// <summary>OpenAI's duration format: <c>6m0s</c>, <c>1.5s</c>, <c>120ms</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1)) return $"{Math.Ceiling(span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}ms";
        if (span < TimeSpan.FromMinutes(1)) return $"{Math.Round(span.TotalSeconds, 3).ToString(CultureInfo.InvariantCulture)}s";
        return $"{((int)span.TotalMinutes).ToString(CultureInfo.InvariantCulture)}m{Math.Round(span.TotalSeconds % 60, 3).ToString(CultureInfo.InvariantCulture)}s";
    }
}
