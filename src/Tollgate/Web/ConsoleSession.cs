using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Tollgate.Admin;

namespace Tollgate.Web;

/// <summary>
/// The console's session: a data-protected, HTTP-only, same-site-strict cookie holding the admin
/// token's id and scopes (never the token). Each request re-checks that the token is still valid,
/// so revoking a token ends the console sessions it started.
/// </summary>
internal static class ConsoleSession
{
    public const string Scheme = "ConsoleSession";
    public const string Policy = "console";
    public const string CookieName = "tollgate_console";
    public const string SignInPath = "/console/signin";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public static void AddConsoleSession(this AuthenticationBuilder authentication) =>
        authentication.AddCookie(Scheme, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.Path = "/console";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = SignInPath;
            options.AccessDeniedPath = "/console/denied";
            options.ExpireTimeSpan = Lifetime;
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = ValidateAsync;
        });

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var verifier = context.HttpContext.RequestServices.GetRequiredService<AdminTokenVerifier>();
        if (context.Principal?.Actor() is { } tokenId && tokenId != "unknown" && await verifier.StillValidAsync(tokenId, context.HttpContext.RequestAborted)) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }
}
