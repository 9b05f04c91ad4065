using System.Globalization;
using Tollgate.Billing.Subscriptions;
using Tollgate.Subscriptions;
using Tollgate.Tokenization;
using Tollgate.Upstreams;

namespace Tollgate.Gateway.Stages;

/// <summary>
/// The subscription window decision, made at admission: units are counted exactly (model weight ×
/// started blocks of input tokens) and taken from every window that applies, or the plan's
/// overage policy decides — <c>block</c> (429 <c>allowance_exhausted</c> with the reset time),
/// <c>downgrade</c> (the cheaper model, billed at its price) or <c>metered</c> (the price card,
/// through the normal reservation). Models outside the plan, and past-due subscriptions, are
/// pay-per-token as for any customer.
/// </summary>
internal sealed class Allowance(IAllowanceWindows allowances, TokenCounter counter, TimeProvider time)
{
    public const string DowngradedFromHeader = "x-tollgate-downgraded-from";

    /// <summary>Whether the request is for a model its customer's subscription includes now: only then does this stage decide anything.</summary>
    public static bool Applies(GatewayRequest request) =>
        request.Snapshot.Subscriptions.TryGetValue(request.Customer.Id, out var subscription) && subscription.IncludesUsage && subscription.Plan.Includes(request.Model.Id);

    public async ValueTask<(ApiError? Error, TimeSpan RetryAfter)> RunAsync(GatewayRequest request)
    {
        if (!Applies(request)) return (null, TimeSpan.Zero);
        var subscription = request.Snapshot.Subscriptions[request.Customer.Id];
        var plan = subscription.Plan;
        var root = request.Body.RootElement;
        var input = request.Operation == ModelOperation.Embeddings
            ? ChatTokenEstimator.CountEmbeddingInput(counter, request.Model.Tokenizer, root.GetProperty("input"))
            : ChatTokenEstimator.CountInput(counter, request.Model.Tokenizer, root);
        var units = plan.Units(request.Model.Id, input);
        var (hold, refusedBy) = await allowances.TryTakeAsync(subscription, request.Model.Id, units, request.RequestId);
        if (hold is not null)
        {
            request.Allowance = hold;
            return (null, TimeSpan.Zero);
        }
        var now = time.GetUtcNow();
        // A gated model open to this customer only as the plan's preview is served within the allowance, never beyond it.
        // Nor is a request for the downgrade model itself "downgraded" to it: past the allowance it is refused.
        var policy = request.GateVia == Billing.Contracts.GatePath.Preview || (plan.Overage == OveragePolicy.Downgrade && plan.DowngradeModel == request.Model.Id)
            ? OveragePolicy.Block
            : plan.Overage;
        switch (policy)
        {
            case OveragePolicy.Downgrade when request.Snapshot.Models.TryGetValue(plan.DowngradeModel!, out var cheaper)
                                              && cheaper.Kind == request.Model.Kind && cheaper.PriceCardAt(now) is { } price && cheaper.Backends.Count > 0:
                request.Http.Response.Headers[DowngradedFromHeader] = request.Model.Id;
                request.DowngradedFrom = request.Model.Id;
                request.Model = cheaper;
                request.Price = price;
                request.OutputCap = Math.Min(request.OutputCap, cheaper.MaxOutputTokens);
                return (null, TimeSpan.Zero);
            case OveragePolicy.Metered:
                return (null, TimeSpan.Zero);
            default:
                var resets = refusedBy?.ResetsAt;
                var retryAfter = resets is { } at && at > now ? at - now : TimeSpan.FromMinutes(1);
                var message = $"Your plan's {refusedBy?.Name ?? "allowance"} allowance is used up: {refusedBy?.Remaining ?? 0} of {refusedBy?.Size ?? 0} units left, " +
                    $"and this request needs {units.ToString(CultureInfo.InvariantCulture)}.";
                if (resets is { } reset) message += $" It resets at {reset.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}.";
                return (new ApiError(StatusCodes.Status429TooManyRequests, "requests", "allowance_exhausted", message), retryAfter);
        }
    }
}
