using System.Globalization;
using Tollgate.Billing;
using Tollgate.Billing.Pricing;
using Tollgate.Budgets;
using Tollgate.Tokenization;
using Tollgate.Upstreams;

namespace Tollgate.Gateway.Stages;

/// <summary>
/// Holds the request's worst-case charge on every account that applies (wallet or credit limit,
/// key budget, customer monthly budget, the tier's monthly spend cap) before anything is served;
/// refused ⇒ 429 now: <c>insufficient_quota</c>, or <c>spend_cap_reached</c> when the tier's cap is what is short.
/// The input is first bounded cheaply by the body's size (a byte-level BPE token is at least
/// one byte); it is counted exactly only when that bound does not fit, and tried again only if the
/// exact amount fits what the refusing account had. Across a cluster the request's rate limits are
/// taken in the same Redis call (see <see cref="Limit"/>), so admission is one round trip.
/// </summary>
internal sealed class Reserve(Accounts accounts, TokenCounter counter, Limits.RateLimiter limiter)
{
    /// <summary>Room for what a non-text part (an image, audio) may cost, which its bytes do not bound.</summary>
    private const long MediaPartTokens = 2_000;

    public async ValueTask<ApiError?> RunAsync(GatewayRequest request)
    {
        // Inside a subscription's allowance the request is charged nothing, so nothing is held.
        if (request.Allowance is not null) return null;
        var rates = request.ChargeRates;
        var cap = request.Operation == ModelOperation.ChatCompletions ? request.OutputCap : 0;
        var media = MediaPartTokens * request.MediaParts;
        var bound = request.BodyBytes + media;
        var amount = WorstCase.Amount(rates, bound, cap, request.Choices);
        var limits = request.PendingLimits;
        var first = await accounts.TryReserveAsync(request.Customer, request.Key, amount, request.RequestId, request.FundedAt, limits);
        if (Taken(request, first, limits) is { } limited) return limited;
        if (first.Held is not null) return null;
        var refusedBy = first.RefusedBy!;
        var exact = ExactInput(request) + media;
        amount = WorstCase.Amount(rates, exact, cap, request.Choices);
        // What the refusing account had a moment ago cannot cover the exact amount either: refused in one call.
        if (amount > refusedBy.Available) return Refusal(request, refusedBy, rates, exact, amount);
        // The first call counted the request against its per-minute limits already.
        var again = limits?.WithoutRequestCounts();
        var second = await accounts.TryReserveAsync(request.Customer, request.Key, amount, request.RequestId, request.FundedAt, again);
        if (Taken(request, second, again, first.Limits) is { } limitedNow) return limitedNow;
        return second.Held is null ? Refusal(request, second.RefusedBy!, rates, exact, amount) : null;
    }

    /// <summary>
    /// Keeps what a reservation call took: the hold, and the limits taken with it (with their headers).
    /// Returns the 429 when one of those limits refused.
    /// </summary>
    private ApiError? Taken(GatewayRequest request, ReserveOutcome outcome, Limits.JoinedLimits? limits, Limits.LimitAdmission? earlier = null)
    {
        if (outcome.Limits is { } admission && limits is not null)
        {
            if (admission.Refused >= 0)
            {
                var refusal = Limits.RateLimiter.Refusal(limits.Limits, admission);
                Limit.WriteHeaders(request.Http, refusal.Readings);
                ApiErrorWriter.SetRetryAfter(request.Http.Response, refusal.RetryAfter);
                return Limit.Refused(refusal);
            }
            // A second attempt leaves out the request counts: their readings are the first attempt's.
            var readings = admission.Requests is null && earlier?.Requests is { } requests ? admission with { Requests = requests } : admission;
            Limit.WriteHeaders(request.Http, readings.Readings);
            if (outcome.Held is not null) request.Limits = limiter.Joined(request.Customer.Id, request.RequestId, limits, readings);
        }
        request.Reservation = outcome.Held;
        return null;
    }

    /// <summary>The tokenizer's count with a small margin for framing the backend may add.</summary>
    private long ExactInput(GatewayRequest request)
    {
        var root = request.Body.RootElement;
        var counted = request.Operation == ModelOperation.Embeddings
            ? ChatTokenEstimator.CountEmbeddingInput(counter, request.Model.Tokenizer, root.GetProperty("input"))
            : ChatTokenEstimator.CountInput(counter, request.Model.Tokenizer, root);
        return counted + counted / 50 + 16;
    }

    private static ApiError Refusal(GatewayRequest request, AccountView refusedBy, TokenRates rates, long inputTokens, decimal amount)
    {
        var available = Math.Max(refusedBy.Available, 0m);
        var capped = refusedBy.RefusedByCap;
        var message = capped
            ? $"Monthly spend cap reached: the {refusedBy.CapName} is ${Money.Format(refusedBy.Cap ?? 0)}, ${Money.Format(available)} of it is left this month, " +
              $"and this request could cost up to ${Money.Format(amount)}."
            : $"Insufficient quota: the {refusedBy.Name} has ${Money.Format(available)} available, and this request could cost up to ${Money.Format(amount)}.";
        if (request.Operation == ModelOperation.ChatCompletions)
        {
            var affordable = WorstCase.AffordableOutputCap(rates, inputTokens, request.Choices, available);
            message += affordable > 0
                ? $" The largest max_tokens it could afford for this input is {affordable.ToString(CultureInfo.InvariantCulture)}."
                : " It cannot afford even this request's input.";
        }
        if (capped)
        {
            message += $" The cap resets at the next UTC month, {refusedBy.MonthResetsAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}.";
            // Retrying before the month turns cannot succeed: say when it can.
            ApiErrorWriter.SetRetryAfter(request.Http.Response, refusedBy.MonthResetsAt - request.StartedAt);
            return new ApiError(StatusCodes.Status429TooManyRequests, "insufficient_quota", "spend_cap_reached", message);
        }
        if (refusedBy.ResetsAt is { } resets) message += $" The budget resets at {resets.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}.";
        return new ApiError(StatusCodes.Status429TooManyRequests, "insufficient_quota", "insufficient_quota", message);
    }
}
