using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary><c>GET /admin/v1/feedback/summary</c>: ratings per UTC day and model (default the last 30 days and today).</summary>
internal static class FeedbackEndpoints
{
    public static void MapFeedback(this RouteGroupBuilder admin) =>
        admin.MapGet("/feedback/summary", SummaryAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));

    private static async Task<Results<Ok<ListResponse<FeedbackDay>>, ApiErrorResult>> SummaryAsync(DateTimeOffset? from, DateTimeOffset? to, IFeedbackStore store,
        TimeProvider time, CancellationToken cancellationToken)
    {
        // By default through the end of today (UTC), so today's ratings count.
        var end = to ?? new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var start = from ?? end.AddDays(-31);
        if (start >= end) return ApiErrorResult.Invalid("'from' must be before 'to'.", "from");
        return TypedResults.Ok(new ListResponse<FeedbackDay>(await store.SummaryAsync(start, end, cancellationToken), false));
    }
}
