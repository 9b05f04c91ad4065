using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Admin.Services;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>
/// API keys: create (the secret is shown once), import many at once, list, read, update scope and expiry, rotate,
/// revoke. Every change reaches the data plane on the next request.
/// </summary>
internal static class KeyEndpoints
{
    public static void MapKeys(this RouteGroupBuilder admin)
    {
        admin.MapPost("/customers/{customerId}/keys", CreateAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Keys)).WithMetadata(ShowsSecretOnce.Instance);
        admin.MapPost("/keys/import", ImportAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Keys)).WithMetadata(ShowsSecretOnce.Instance);
        admin.MapGet("/keys", ListAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapGet("/keys/{keyId}", GetAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapPatch("/keys/{keyId}", UpdateAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Keys));
        admin.MapPost("/keys/{keyId}/rotate", RotateAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Keys)).WithMetadata(ShowsSecretOnce.Instance);
        admin.MapPost("/keys/{keyId}/revoke", RevokeAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Keys));
    }

    private static async Task<Results<Created<CreatedKeyDto>, ApiErrorResult>> CreateAsync(
        string customerId, KeyRequest? body, ClaimsPrincipal user, KeyService keys, CancellationToken cancellationToken) =>
        (await keys.CreateAsync(customerId, body, user, cancellationToken)).ToCreated(k => $"/admin/v1/keys/{k.ApiKey.Id}");

    private static async Task<Results<Ok<KeyImportResponse>, ApiErrorResult>> ImportAsync(
        KeyImportRequest? body, ClaimsPrincipal user, KeyService keys, CancellationToken cancellationToken) =>
        (await keys.ImportAsync(body, user, cancellationToken)).ToOk();

    private static async Task<Results<Ok<ListResponse<KeyDto>>, ApiErrorResult>> ListAsync(
        ICustomerStore store, TimeProvider time, [FromQuery(Name = "customer_id")] string? customerId, int? limit, [FromQuery(Name = "starting_after")] string? startingAfter, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(limit, startingAfter, out var page, out var error)) return error!;
        var keys = await store.ListKeysAsync(customerId, page, cancellationToken);
        var now = time.UtcNowStored();
        return TypedResults.Ok(new ListResponse<KeyDto>([.. keys.Items.Select(k => ToDto(k, now))], keys.HasMore));
    }

    private static async Task<Results<Ok<KeyDto>, ApiErrorResult>> GetAsync(string keyId, ICustomerStore store, TimeProvider time, CancellationToken cancellationToken) =>
        await store.GetKeyAsync(keyId, cancellationToken) is { } key ? TypedResults.Ok(ToDto(key, time.UtcNowStored())) : ApiErrorResult.NotFound("API key", keyId);

    private static async Task<Results<Ok<KeyDto>, ApiErrorResult>> UpdateAsync(
        string keyId, KeyUpdateRequest? body, ClaimsPrincipal user, KeyService keys, CancellationToken cancellationToken) =>
        (await keys.UpdateAsync(keyId, body, user, cancellationToken)).ToOk();

    /// <summary>A new secret under a new key id with the same owner, name, scope and expiry; the old key stops now or after a grace period.</summary>
    private static async Task<Results<Ok<CreatedKeyDto>, ApiErrorResult>> RotateAsync(
        string keyId, RotateKeyRequest? body, ClaimsPrincipal user, KeyService keys, CancellationToken cancellationToken) =>
        (await keys.RotateAsync(keyId, body, user, cancellationToken)).ToOk();

    private static async Task<Results<Ok<KeyDto>, ApiErrorResult>> RevokeAsync(
        string keyId, ClaimsPrincipal user, KeyService keys, CancellationToken cancellationToken) =>
        (await keys.RevokeAsync(keyId, user, cancellationToken)).ToOk();

    private static KeyDto ToDto(KeyEntry k, DateTimeOffset now) => KeyService.ToDto(k, now);
}
