using Tollgate.Gateway;

namespace Tollgate.Storage.Redis;

/// <summary>
/// Redis unreachable: every request that needed the cluster's shared counters — the data plane,
/// <c>/v1/account</c>, admin reads of windows, the console's customer page — answers 503
/// <c>shared_state_unavailable</c> with a short retry-after, never a bare 500.
/// </summary>
internal static class SharedStateOutage
{
    public const string Code = "shared_state_unavailable";

    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>The error, with what the caller did not get (e.g. "the request was not served").</summary>
    public static ApiError Error(string consequence) =>
        ApiError.Unavailable($"The gateway's shared counters are unavailable, so {consequence}. Retry shortly.", Code);

    /// <summary>The catch-all for what has no answer of its own: the stages and <c>/v1/account</c> say more precisely what failed.</summary>
    public static IApplicationBuilder UseSharedStateOutage(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (SharedStateUnavailableException) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await ApiErrorWriter.WriteAsync(context, Error("this could not be answered"), RetryAfter);
        }
    });
}
