using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Admin tokens: only a <c>full</c> token may create, list or revoke them.</summary>
internal static class TokenEndpoints
{
    public static void MapTokens(this RouteGroupBuilder admin)
    {
        admin.MapGet("/tokens", ListAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Full));
        admin.MapPost("/tokens", CreateAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Full)).WithMetadata(ShowsSecretOnce.Instance);
        admin.MapPost("/tokens/{tokenId}/revoke", RevokeAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Full));
    }

    private static async Task<Results<Ok<ListResponse<AdminTokenDto>>, ApiErrorResult>> ListAsync(
        IAdminTokenStore store, int? limit, [FromQuery(Name = "starting_after")] string? startingAfter, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(limit, startingAfter, out var page, out var error)) return error!;
        var tokens = await store.ListAsync(page, cancellationToken);
        return TypedResults.Ok(new ListResponse<AdminTokenDto>([.. tokens.Items.Select(ToDto)], tokens.HasMore));
    }

    private static async Task<Results<Created<CreatedAdminTokenDto>, ApiErrorResult>> CreateAsync(
        AdminTokenRequest? body, ClaimsPrincipal user, IAdminTokenStore store, SecretHasher hasher, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body?.Name is not { } name || string.IsNullOrWhiteSpace(name) || name.Length > 200)
            return ApiErrorResult.Invalid("'name' is required (1 to 200 characters).", "name");
        if (body.Scopes is not { Length: > 0 } scopes || scopes.Any(s => !AdminScopes.All.Contains(s)))
            return ApiErrorResult.Invalid($"'scopes' must list one or more of: {string.Join(", ", AdminScopes.All)}.", "scopes");
        var now = time.UtcNowStored();
        var (id, secret) = SecretFormat.AdminToken.Create();
        var token = new AdminTokenRecord(id, name.Trim(), hasher.Hash(secret), [.. scopes.Distinct(StringComparer.Ordinal)], now, null);
        var dto = ToDto(token);
        await store.CreateAsync(token, user.Audit("admin_token.create", "admin_token", id, null, dto, AdminJson.Default.AdminTokenDto, now), cancellationToken);
        return TypedResults.Created($"/admin/v1/tokens/{id}", new CreatedAdminTokenDto(secret, dto));
    }

    private static async Task<Results<Ok<AdminTokenDto>, ApiErrorResult>> RevokeAsync(
        string tokenId, ClaimsPrincipal user, IAdminTokenStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(tokenId, cancellationToken) is not { } token) return ApiErrorResult.NotFound("admin token", tokenId);
        if (token.RevokedAt is not null) return TypedResults.Ok(ToDto(token));
        var now = time.UtcNowStored();
        var after = ToDto(token with { RevokedAt = now });
        await store.RevokeAsync(tokenId, now, user.Audit("admin_token.revoke", "admin_token", tokenId, ToDto(token), after, AdminJson.Default.AdminTokenDto, now), cancellationToken);
        return TypedResults.Ok(after);
    }

    private static AdminTokenDto ToDto(AdminTokenRecord t) => new(t.Id, t.Name, [.. t.Scopes], t.CreatedAt, t.RevokedAt);
}
