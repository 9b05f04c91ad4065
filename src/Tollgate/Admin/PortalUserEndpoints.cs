using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Portal;
using Tollgate.Security;

namespace Tollgate.Admin;

/// <summary>
/// The people who use the customer portal: invite one (the one-time link is shown once), list a customer's
/// invitations and users, remove a user. Inviting and removing need <c>billing</c>: an owner can pay and manage keys.
/// </summary>
internal static class PortalUserEndpoints
{
    public static void MapPortalUsers(this RouteGroupBuilder admin)
    {
        admin.MapPost("/customers/{customerId}/invitations", InviteAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing))
            .WithMetadata(ShowsSecretOnce.Instance);
        admin.MapGet("/customers/{customerId}/invitations", InvitationsAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapGet("/customers/{customerId}/users", UsersAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapPost("/customers/{customerId}/users/{userId}/remove", RemoveAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
    }

    private static async Task<Results<Created<CreatedPortalInvitationDto>, ApiErrorResult>> InviteAsync(
        string customerId, PortalInvitationRequest? body, ClaimsPrincipal user, CustomerUserService users, CancellationToken cancellationToken) =>
        (await users.InviteAsync(customerId, body, user, cancellationToken)).ToCreated(i => $"/admin/v1/customers/{customerId}/invitations/{i.Invitation.Id}");

    private static async Task<Results<Ok<ListResponse<PortalInvitationDto>>, ApiErrorResult>> InvitationsAsync(
        string customerId, CustomerUserService users, Catalog.CatalogState catalog, CancellationToken cancellationToken) =>
        catalog.Current.Customers.ContainsKey(customerId)
            ? TypedResults.Ok(new ListResponse<PortalInvitationDto>(await users.InvitationsAsync(customerId, cancellationToken), false))
            : ApiErrorResult.NotFound("customer", customerId);

    private static async Task<Results<Ok<ListResponse<CustomerUserDto>>, ApiErrorResult>> UsersAsync(
        string customerId, CustomerUserService users, Catalog.CatalogState catalog, CancellationToken cancellationToken) =>
        catalog.Current.Customers.ContainsKey(customerId)
            ? TypedResults.Ok(new ListResponse<CustomerUserDto>(await users.UsersAsync(customerId, cancellationToken), false))
            : ApiErrorResult.NotFound("customer", customerId);

    private static async Task<Results<Ok<CustomerUserDto>, ApiErrorResult>> RemoveAsync(
        string customerId, string userId, ClaimsPrincipal user, CustomerUserService users, CancellationToken cancellationToken) =>
        (await users.RemoveAsync(customerId, userId, user, cancellationToken)).ToOk();
}
