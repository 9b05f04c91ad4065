using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Tollgate.Admin;

namespace Tollgate.Web;

/// <summary>
/// The console's session: a data-protected, HTTP-only, same-site-strict cookie holding the admin
/// token's id and scopes (never the token), a digest binding it to that token's secret, and its
/// sign-in time. Each request re-checks that the token is still valid and the same secret, so
/// revoking a token or replacing TOLLGATE_ADMIN_TOKEN ends the sessions it started; a session
/// slides while used but never outlives its absolute lifetime.
/// </summary>
internal static class ConsoleSession
{
    public const string Scheme = "ConsoleSession";
    public const string Policy = "console";
    public const string CookieName = "tollgate_console";
    public const string SignInPath = "/console/signin";

    /// <summary>A session unused this long ends; each request slides it.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>However active, a session ends this long after sign-in (setting <see cref="AbsoluteLifetimeSetting"/>).</summary>
    public static readonly TimeSpan DefaultAbsoluteLifetime = TimeSpan.FromHours(24);

    public const string AbsoluteLifetimeSetting = "Console:SessionAbsoluteLifetime";
    private const string BindingClaim = "tollgate:token_binding";
    private const string SignedInAtClaim = "tollgate:signed_in_at";

    /// <summary>The session's principal: the token's id and scopes, what binds it to that token's secret, and when it began.</summary>
    public static ClaimsPrincipal Principal(AdminIdentity identity, DateTimeOffset now)
    {
        var principal = AdminTokenAuthentication.Principal(identity, Scheme);
        ((ClaimsIdentity)principal.Identity!).AddClaims([
            new Claim(BindingClaim, identity.Binding),
            new Claim(SignedInAtClaim, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ]);
        return principal;
    }

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
        var services = context.HttpContext.RequestServices;
        var verifier = services.GetRequiredService<AdminTokenVerifier>();
        var principal = context.Principal;
        var absolute = services.GetRequiredService<IConfiguration>().GetValue(AbsoluteLifetimeSetting, DefaultAbsoluteLifetime);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (principal?.Actor() is { } tokenId && tokenId != "unknown"
            && principal.FindFirst(BindingClaim)?.Value is { Length: > 0 } binding
            && long.TryParse(principal.FindFirst(SignedInAtClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var signedIn)
            && now - DateTimeOffset.FromUnixTimeSeconds(signedIn) < absolute
            && await verifier.StillValidAsync(tokenId, binding, context.HttpContext.RequestAborted)) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }
}
