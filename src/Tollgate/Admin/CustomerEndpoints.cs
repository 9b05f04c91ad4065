using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Admin.Services;
using Tollgate.Catalog;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Customers: create, read, update, list.</summary>
internal static class CustomerEndpoints
{
    public static void MapCustomers(this RouteGroupBuilder admin)
    {
        admin.MapGet("/customers", ListAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapGet("/customers/{customerId}", Get).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapPost("/customers", CreateAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
        admin.MapPatch("/customers/{customerId}", UpdateAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
    }

    private static async Task<Results<Ok<ListResponse<CustomerDto>>, ApiErrorResult>> ListAsync(
        ICustomerStore store, int? limit, [FromQuery(Name = "starting_after")] string? startingAfter, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(limit, startingAfter, out var page, out var error)) return error!;
        var customers = await store.ListAsync(page, cancellationToken);
        return TypedResults.Ok(new ListResponse<CustomerDto>([.. customers.Items.Select(ToDto)], customers.HasMore));
    }

    private static Results<Ok<CustomerDto>, ApiErrorResult> Get(string customerId, CatalogState catalog) =>
        catalog.Current.Customers.TryGetValue(customerId, out var customer)
            ? TypedResults.Ok(ToDto(customer))
            : ApiErrorResult.NotFound("customer", customerId);

    private static async Task<Results<Created<CustomerDto>, ApiErrorResult>> CreateAsync(
        CustomerRequest? body, ClaimsPrincipal user, CustomerService customers, CancellationToken cancellationToken) =>
        (await customers.CreateAsync(body, user, cancellationToken)).ToCreated(c => $"/admin/v1/customers/{c.Id}");

    private static async Task<Results<Ok<CustomerDto>, ApiErrorResult>> UpdateAsync(
        string customerId, CustomerRequest? body, ClaimsPrincipal user, CustomerService customers, CancellationToken cancellationToken) =>
        (await customers.UpdateAsync(customerId, body, user, cancellationToken)).ToOk();

    private static CustomerDto ToDto(CustomerEntry c) => CustomerService.ToDto(c);
}
