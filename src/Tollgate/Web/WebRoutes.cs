using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Tollgate.Admin;

namespace Tollgate.Web;

/// <summary>
/// The browser-facing surface: the operator console under <c>/console</c> (Razor Pages rendered on
/// the server, signed in with an admin token) and the subscriber chat page under <c>/chat</c>.
/// </summary>
internal static class WebRoutes
{
    public const string Console = "/console";
    public const string Chat = "/chat";
    public const string Assets = "/assets";

    public static bool IsBrowserPath(PathString path) =>
        path.StartsWithSegments(Console) || path.StartsWithSegments(Chat) || path.StartsWithSegments(Assets);

    public static void AddTollgateWeb(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder().AddPolicy(ConsoleSession.Policy, policy => policy
            .AddAuthenticationSchemes(ConsoleSession.Scheme)
            .RequireAuthenticatedUser()
            .RequireClaim(AdminScopes.TokenIdClaim));
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "tollgate_csrf";
            options.Cookie.Path = Console;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.FormFieldName = "__csrf";
        });
        services.AddRazorPages(options =>
            {
                options.RootDirectory = "/Web/Pages";
                options.Conventions.AuthorizeFolder("/Console", ConsoleSession.Policy);
                options.Conventions.AllowAnonymousToPage("/Console/SignIn");
            })
            .AddCookieTempDataProvider(options =>
            {
                options.Cookie.Name = "tollgate_flash";
                options.Cookie.Path = Console;
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
