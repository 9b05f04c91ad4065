using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Tollgate.Portal;
using Tollgate.Security;

namespace Tollgate.Web.Pages.Portal;

/// <summary>
/// Email and password for a portal session. Wrong attempts count per address (the throttle shared with the admin API and
/// console) and per account (so many addresses cannot guess one password); either limit reached refuses with 429.
/// </summary>
internal sealed class SignInModel(CustomerUserService users, AuthFailureThrottle throttle, IOptions<PortalOptions> options, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Problem { get; private set; }

    public string? Email { get; private set; }

    public async Task<IActionResult> OnPostAsync(string? email, string? password)
    {
        Email = email?.Trim();
        var client = HttpContext.Connection.RemoteIpAddress;
        var account = "account:" + (CustomerUserService.NormalizeEmail(email) ?? "");
        if (throttle.IsBlocked(client, out var wait) || throttle.IsBlocked(account, options.Value.SignInFailuresPerAccount, out wait))
        {
            Problem = $"Too many wrong attempts. Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} s.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        if (await users.VerifyPasswordAsync(email, password, HttpContext.RequestAborted) is not { } user)
        {
            throttle.RecordFailure(client);
            throttle.RecordFailure(account);
            Problem = "That email and password do not match an account.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(PortalSession.Scheme, PortalSession.Principal(user, time.GetUtcNow()));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl.StartsWith(WebRoutes.Portal, StringComparison.Ordinal) ? ReturnUrl : WebRoutes.Portal);
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await HttpContext.SignOutAsync(PortalSession.Scheme);
        return RedirectToPage();
    }
}
