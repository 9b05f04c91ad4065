using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Tollgate.Admin;
using Tollgate.Storage;

namespace Tollgate.Web;

/// <summary>
/// A portal session, kept like the console's: a data-protected, HTTP-only, same-site-strict cookie under <c>/portal</c>
/// holding the user's id, customer and role (the audit names the user id as the actor), a digest of their password hash
/// (a new password ends older sessions), and the sign-in time. Each request re-reads the user: removing them ends
/// their sessions at once. A session slides while used and never outlives its absolute lifetime.
/// </summary>
internal static class PortalSession
{
    public const string Scheme = "PortalSession";
    public const string Policy = "portal";
    public const string CookieName = "tollgate_portal";
    public const string SignInPath = "/portal/signin";
    public const string CustomerClaim = "tollgate:customer";
    public const string RoleClaim = "tollgate:portal_role";

    private const string BindingClaim = "tollgate:password_binding";
    private const string SignedInAtClaim = "tollgate:signed_in_at";

    public static ClaimsPrincipal Principal(CustomerUserRecord user, DateTimeOffset now) =>
        new(new ClaimsIdentity(
        [
            new Claim(AdminScopes.TokenIdClaim, user.Id),
            new Claim(ClaimTypes.Name, user.Email),
            new Claim(CustomerClaim, user.CustomerId),
            new Claim(RoleClaim, StoredNames.Of(user.Role)),
            new Claim(BindingClaim, Binding(user)),
            new Claim(SignedInAtClaim, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ], Scheme));

    public static void AddPortalSession(this AuthenticationBuilder authentication) =>
        authentication.AddCookie(Scheme, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.Path = WebRoutes.Portal;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = SignInPath;
            options.AccessDeniedPath = "/portal/denied";
            options.ExpireTimeSpan = ConsoleSession.Lifetime;
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = ValidateAsync;
        });

    private static string Binding(CustomerUserRecord user) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user.PasswordHash)))[..32];

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var principal = context.Principal;
        var absolute = services.GetRequiredService<IConfiguration>().GetValue(ConsoleSession.AbsoluteLifetimeSetting, ConsoleSession.DefaultAbsoluteLifetime);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (principal?.Actor() is { } userId && userId != "unknown"
            && long.TryParse(principal.FindFirst(SignedInAtClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var signedIn)
            && now - DateTimeOffset.FromUnixTimeSeconds(signedIn) < absolute
            && await services.GetRequiredService<ICustomerUserStore>().FindUserAsync(userId, context.HttpContext.RequestAborted) is { RemovedAt: null } user
            && user.CustomerId == principal.FindFirst(CustomerClaim)?.Value
            && StoredNames.Of(user.Role) == principal.FindFirst(RoleClaim)?.Value
            && Binding(user) == principal.FindFirst(BindingClaim)?.Value
            && services.GetRequiredService<Catalog.CatalogState>().Current.Customers.ContainsKey(user.CustomerId)) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }
}
