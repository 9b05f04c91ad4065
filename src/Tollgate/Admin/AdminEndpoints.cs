namespace Tollgate.Admin;

/// <summary>The admin API under <c>/admin/v1</c>: every route requires an admin token with the right scope.</summary>
internal static class AdminEndpoints
{
    public const string Prefix = "/admin/v1";

    public static void MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup(Prefix).RequireAuthorization(AdminScopes.AuthenticatedPolicy).WithTags("admin");
        admin.MapCustomers();
        admin.MapKeys();
        admin.MapWallets();
        admin.MapTiers();
        admin.MapModels();
        admin.MapUsage();
        admin.MapTokens();
        admin.MapAudit();
        admin.MapWebhooks();
        admin.MapInvoices();
        admin.MapLedger();
        admin.MapSubscriptions();
        admin.MapContracts();
        admin.MapEconomics();
        admin.MapFlags();
        admin.MapFeedback();
        admin.MapPortalUsers();
    }

    /// <summary>Admin request bodies are checked once, after authorization and before any endpoint binds them.</summary>
    public static IApplicationBuilder UseAdminBodyCheck(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Prefix), admin => admin.UseMiddleware<AdminBodyCheck>());

    /// <summary>Creating requests are idempotent under an Idempotency-Key header.</summary>
    public static IApplicationBuilder UseAdminIdempotency(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Prefix), admin => admin.UseMiddleware<IdempotencyMiddleware>());
}
