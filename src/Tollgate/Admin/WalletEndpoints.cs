using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Admin.Services;

namespace Tollgate.Admin;

/// <summary>Credit grants and the wallet they fill: purchased or promotional, optionally expiring.</summary>
internal static class WalletEndpoints
{
    public static void MapWallets(this RouteGroupBuilder admin)
    {
        admin.MapGet("/customers/{customerId}/wallet", GetAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapPost("/customers/{customerId}/grants", GrantAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
    }

    private static async Task<Results<Ok<WalletDto>, ApiErrorResult>> GetAsync(string customerId, WalletService wallets, CancellationToken cancellationToken) =>
        (await wallets.GetAsync(customerId, cancellationToken)).ToOk();

    private static async Task<Results<Created<WalletDto>, ApiErrorResult>> GrantAsync(
        string customerId, GrantRequest? body, ClaimsPrincipal user, WalletService wallets, CancellationToken cancellationToken) =>
        (await wallets.GrantAsync(customerId, body, user, cancellationToken)).ToCreated(_ => $"/admin/v1/customers/{customerId}/wallet");
}
