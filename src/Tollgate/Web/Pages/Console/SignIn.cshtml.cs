using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tollgate.Admin;
using Tollgate.Security;

namespace Tollgate.Web.Pages.Console;

/// <summary>Trades an admin token for a console session carrying its id and scopes; wrong tokens count toward the same throttle as the admin API's.</summary>
internal sealed class SignInModel(AdminTokenVerifier verifier, AuthFailureThrottle throttle, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnPostAsync(string? token)
    {
        var client = HttpContext.Connection.RemoteIpAddress;
        if (throttle.IsBlocked(client, out var wait))
        {
            Problem = $"Too many wrong tokens from this address. Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} s.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        if (string.IsNullOrWhiteSpace(token) || await verifier.VerifyAsync(token.Trim(), HttpContext.RequestAborted) is not { } identity)
        {
            throttle.RecordFailure(client);
            Problem = "That is not a valid admin token.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(ConsoleSession.Scheme, ConsoleSession.Principal(identity, time.GetUtcNow()));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl.StartsWith(WebRoutes.Console, StringComparison.Ordinal) ? ReturnUrl : WebRoutes.Console);
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await HttpContext.SignOutAsync(ConsoleSession.Scheme);
        return RedirectToPage();
    }
}
