using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Distillation;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>
/// The distillation review queue (scope <c>gates</c> to act): acknowledge, dismiss, throttle the
/// customer on the gated model, or suspend its access — each audited; a restriction can be lifted.
/// </summary>
internal static class FlagEndpoints
{
    public static void MapFlags(this RouteGroupBuilder admin)
    {
        var gates = AdminScopes.Policy(AdminScopes.Gates);
        var read = AdminScopes.Policy(AdminScopes.Read);
        admin.MapGet("/flags", ListAsync).RequireAuthorization(read);
        admin.MapGet("/flags/{flagId}", async (string flagId, IFlagStore store, CancellationToken ct) =>
            await store.GetAsync(flagId, ct) is { } flag ? (Results<Ok<FlagDto>, ApiErrorResult>)TypedResults.Ok(FlagDto.From(flag)) : ApiErrorResult.NotFound("flag", flagId))
            .RequireAuthorization(read);
        admin.MapPost("/flags/{flagId}/review", ReviewAsync).RequireAuthorization(gates);
        admin.MapDelete("/customers/{customerId}/gate-restrictions/{modelId}", LiftAsync).RequireAuthorization(gates);
    }

    private static async Task<Results<Ok<ListResponse<FlagDto>>, ApiErrorResult>> ListAsync(string? status, string? customer, int? limit, IFlagStore store,
        CancellationToken cancellationToken)
    {
        FlagStatus? wanted = null;
        if (status is not null)
        {
            if (!StoredNames.TryParse<FlagStatus>(status, out var parsed))
                return ApiErrorResult.Invalid("'status' must be open, acknowledged, dismissed, throttled or suspended.", "status");
            wanted = parsed;
        }
        if (limit is < 1 or > 500) return ApiErrorResult.Invalid("'limit' must be from 1 to 500.", "limit");
        var flags = await store.ListAsync(wanted, customer, limit ?? 100, cancellationToken);
        return TypedResults.Ok(new ListResponse<FlagDto>([.. flags.Select(FlagDto.From)], false));
    }

    private static async Task<Results<Ok<FlagDto>, ApiErrorResult>> ReviewAsync(string flagId, FlagReviewRequest? body, ClaimsPrincipal user, FlagService flags,
        CancellationToken cancellationToken)
    {
        var outcome = await flags.ReviewAsync(flagId, body, user, cancellationToken);
        return outcome.Error is { } error ? error : TypedResults.Ok(FlagDto.From(outcome.Value!));
    }

    private static async Task<Results<NoContent, ApiErrorResult>> LiftAsync(string customerId, string modelId, ClaimsPrincipal user, FlagService flags,
        CancellationToken cancellationToken) =>
        (await flags.LiftAsync(customerId, modelId, user, cancellationToken)).Error is { } error ? error : TypedResults.NoContent();
}

/// <summary><c>action</c>: <c>acknowledged</c>, <c>dismissed</c>, <c>throttled</c> (with <c>requests_per_minute</c>) or <c>suspended</c>.</summary>
internal sealed record FlagReviewRequest(string? Action, int? RequestsPerMinute, string? Note);

internal sealed record FlagDto(
    string Id, string CustomerId, string Model, string Day, double Score, DistillationSignals Evidence, string Status, string? Note,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static FlagDto From(DistillationFlag f) => new(f.Id, f.CustomerId, f.ModelId, f.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        f.Score, f.Evidence, StoredNames.Of(f.Status), f.Note, f.CreatedAt, f.UpdatedAt);
}
