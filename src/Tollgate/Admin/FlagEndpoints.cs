using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Distillation;
using Tollgate.Hosting;
using Tollgate.Storage;
using Tollgate.Catalog;

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

    private static async Task<Results<Ok<FlagDto>, ApiErrorResult>> ReviewAsync(string flagId, FlagReviewRequest? body, ClaimsPrincipal user, IFlagStore store,
        CatalogRefresher refresher, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(flagId, cancellationToken) is not { } before) return ApiErrorResult.NotFound("flag", flagId);
        if (body?.Action is not { } action || !StoredNames.TryParse<FlagStatus>(action, out var status) || status == FlagStatus.Open)
            return ApiErrorResult.Invalid("'action' must be acknowledged, dismissed, throttled or suspended.", "action");
        if (body.Note is { Length: > 1000 }) return ApiErrorResult.Invalid("'note' is at most 1000 characters.", "note");
        if (status == FlagStatus.Throttled && body.RequestsPerMinute is not (>= 1 and <= 100_000))
            return ApiErrorResult.Invalid("'requests_per_minute' (1 to 100000) is required to throttle.", "requests_per_minute");
        var now = time.UtcNowStored();
        var after = before with { Status = status, Note = body.Note ?? before.Note, UpdatedAt = now };
        GateRestriction? restriction = status switch
        {
            FlagStatus.Throttled => new(before.CustomerId, before.ModelId, status, body.RequestsPerMinute, before.Id, now),
            FlagStatus.Suspended => new(before.CustomerId, before.ModelId, status, null, before.Id, now),
            _ => null,
        };
        await store.ReviewAsync(after, restriction, new AuditEntry(user.Actor(), "flag.review", "flag", flagId, Json(before), Json(after), now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return TypedResults.Ok(FlagDto.From(after));
    }

    private static async Task<Results<NoContent, ApiErrorResult>> LiftAsync(string customerId, string modelId, ClaimsPrincipal user, IFlagStore store,
        CatalogRefresher refresher, TimeProvider time, CancellationToken cancellationToken)
    {
        var audit = new AuditEntry(user.Actor(), "gate_restriction.lift", "customer", customerId, null, JsonSerializer.Serialize(modelId), time.UtcNowStored());
        if (!await store.LiftAsync(customerId, modelId, audit, cancellationToken)) return ApiErrorResult.NotFound("gate restriction of customer on", modelId);
        await refresher.ReloadAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static string Json(DistillationFlag flag) => JsonSerializer.Serialize(FlagDto.From(flag), AdminJson.Default.FlagDto);
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
