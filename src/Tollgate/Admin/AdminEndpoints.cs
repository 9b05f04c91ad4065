namespace Tollgate.Admin;

/// <summary>The admin API under <c>/admin/v1</c>: every route requires an admin token with the right scope.</summary>
internal static class AdminEndpoints
{
    public static void MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin/v1").RequireAuthorization(AdminScopes.AuthenticatedPolicy);
        admin.MapCustomers();
        admin.MapModels();
        admin.MapUsage();
    }
}
