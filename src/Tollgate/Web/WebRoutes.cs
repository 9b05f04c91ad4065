using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Tollgate.Admin;

namespace Tollgate.Web;

/// <summary>
/// The browser-facing surface: the operator console under <c>/console</c> (Razor Pages rendered on
/// the server, signed in with an admin token), the customer portal under <c>/portal</c> (the same pages and
/// protections, signed in as a customer's user) and the subscriber chat page under <c>/chat</c>.
/// </summary>
internal static class WebRoutes
{
    public const string Console = "/console";
    public const string Chat = "/chat";
    public const string Portal = "/portal";
    public const string Assets = "/assets";

    public static bool IsBrowserPath(PathString path) =>
        path.StartsWithSegments(Console) || path.StartsWithSegments(Portal) || path.StartsWithSegments(Chat) || path.StartsWithSegments(Assets);

    public static void AddTollgateWeb(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder().AddPolicy(ConsoleSession.Policy, policy => policy
            .AddAuthenticationSchemes(ConsoleSession.Scheme)
            .RequireAuthenticatedUser()
            .RequireClaim(AdminScopes.TokenIdClaim))
            .AddPolicy(PortalSession.Policy, policy => policy
                .AddAuthenticationSchemes(PortalSession.Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(PortalSession.CustomerClaim));
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "tollgate_csrf";
            // The console's and the portal's forms share it; it is only a CSRF token, bound to no session.
            options.Cookie.Path = "/";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.FormFieldName = "__csrf";
        });
        services.AddRazorPages(options =>
            {
                options.RootDirectory = "/Web/Pages";
                options.Conventions.AuthorizeFolder("/Console", ConsoleSession.Policy);
                options.Conventions.AllowAnonymousToPage("/Console/SignIn");
                options.Conventions.AuthorizeFolder("/Portal", PortalSession.Policy);
                options.Conventions.AllowAnonymousToPage("/Portal/SignIn");
                options.Conventions.AllowAnonymousToPage("/Portal/Invite");
            })
            .AddCookieTempDataProvider(options =>
            {
                options.Cookie.Name = "tollgate_flash";
                options.Cookie.Path = "/";
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            })
            .ConfigureApplicationPartManager(parts =>
            {
                // The pages are compiled into this assembly; a host started from elsewhere (tests) must still find them.
                var assembly = typeof(WebRoutes).Assembly;
                if (!parts.ApplicationParts.Any(p => p is AssemblyPart a && a.Assembly == assembly)) parts.ApplicationParts.Add(new AssemblyPart(assembly));
            });
    }

    public static void MapTollgateWeb(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRazorPages();
        endpoints.MapWebAssets();
    }
}
