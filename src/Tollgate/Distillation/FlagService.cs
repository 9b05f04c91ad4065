using System.Security.Claims;
using System.Text.Json;
using Tollgate.Admin;
using Tollgate.Admin.Services;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Storage;

namespace Tollgate.Distillation;

/// <summary>
/// Reviews distillation flags and lifts the restrictions decided on them: one validation, one audit
/// entry and one snapshot swap per decision, for the admin API and the console alike.
/// </summary>
internal sealed class FlagService(IFlagStore store, CatalogRefresher refresher, TimeProvider time)
{
    public const int MaxNoteLength = 1000;

    public async Task<Outcome<DistillationFlag>> ReviewAsync(string flagId, FlagReviewRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(flagId, cancellationToken) is not { } before) return ApiErrorResult.NotFound("flag", flagId);
        if (body?.Action is not { } action || !StoredNames.TryParse<FlagStatus>(action, out var status) || status == FlagStatus.Open)
            return ApiErrorResult.Invalid("'action' must be acknowledged, dismissed, throttled or suspended.", "action");
        if (body.Note is { Length: > MaxNoteLength }) return ApiErrorResult.Invalid($"'note' is at most {MaxNoteLength} characters.", "note");
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
        return after;
    }

    /// <summary>Lifts a customer's throttle or suspension on a gated model; the answer is the model lifted.</summary>
    public async Task<Outcome<string>> LiftAsync(string customerId, string modelId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var audit = new AuditEntry(user.Actor(), "gate_restriction.lift", "customer", customerId, null, JsonSerializer.Serialize(modelId), time.UtcNowStored());
        if (!await store.LiftAsync(customerId, modelId, audit, cancellationToken)) return ApiErrorResult.NotFound("gate restriction of customer on", modelId);
        await refresher.ReloadAsync(cancellationToken);
        return modelId;
    }

    private static string Json(DistillationFlag flag) => JsonSerializer.Serialize(FlagDto.From(flag), AdminJson.Default.FlagDto);
}
