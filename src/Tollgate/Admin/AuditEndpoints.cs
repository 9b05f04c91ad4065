using Microsoft.AspNetCore.Mvc;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>The append-only audit log, newest first; <c>starting_after</c> is an entry id.</summary>
internal static class AuditEndpoints
{
    public static void MapAudit(this RouteGroupBuilder admin) =>
        admin.MapGet("/audit", ListAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));

    private static async Task<Results<Ok<ListResponse<AuditEntryDto>>, ApiErrorResult>> ListAsync(
        IAuditLog audit, [FromQuery(Name = "target_type")] string? targetType, [FromQuery(Name = "target_id")] string? targetId, string? actor, int? limit, [FromQuery(Name = "starting_after")] string? startingAfter, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(limit, startingAfter, out var page, out var error)) return error!;
        var entries = await audit.ListAsync(new AuditFilter(targetType, targetId, actor), page, cancellationToken);
        return TypedResults.Ok(new ListResponse<AuditEntryDto>([.. entries.Items.Select(e => new AuditEntryDto(
            e.Id, e.Actor, e.Action, e.TargetType, e.TargetId, Parse(e.Before), Parse(e.After), e.At))], entries.HasMore));
    }

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
