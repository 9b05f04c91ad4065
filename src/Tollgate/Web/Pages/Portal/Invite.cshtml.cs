using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tollgate.Portal;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Web.Pages.Portal;

/// <summary>
/// An invitation link: the invited person chooses a password, which creates their user and signs them in. The link
/// works once and until it expires; a spent or made-up link says so without telling which. Wrong links count toward the
/// address's authentication throttle, like wrong tokens.
/// </summary>
internal sealed class InviteModel(CustomerUserService users, ICustomerUserStore store, AuthFailureThrottle throttle, TimeProvider time) : PageModel
{
    public PortalInvitationRecord? Invitation { get; private set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token)
    {
        if (Blocked()) return Page();
        Invitation = await users.OpenInvitationAsync(token, HttpContext.RequestAborted);
        if (Invitation is null) Spent();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, string? password, string? confirm)
    {
        if (Blocked()) return Page();
        Invitation = await users.OpenInvitationAsync(token, HttpContext.RequestAborted);
        if (Invitation is null)
        {
            Spent();
            return Page();
        }
        if (!string.Equals(password, confirm, StringComparison.Ordinal))
        {
            Problem = "The two passwords differ.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var outcome = await users.AcceptAsync(token, password, HttpContext.RequestAborted);
        if (outcome.Error is { } error)
        {
            Problem = error.Error.Message;
            Response.StatusCode = error.Error.Status;
            return Page();
        }
        var user = await store.FindUserAsync(outcome.Value!.Id, HttpContext.RequestAborted);
        await HttpContext.SignInAsync(PortalSession.Scheme, PortalSession.Principal(user!, time.GetUtcNow()));
        return LocalRedirect(WebRoutes.Portal);
    }

    private bool Blocked()
    {
        if (!throttle.IsBlocked(HttpContext.Connection.RemoteIpAddress, out var wait)) return false;
        Problem = $"Too many wrong links from this address. Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} s.";
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        return true;
    }

    private void Spent()
    {
        throttle.RecordFailure(HttpContext.Connection.RemoteIpAddress);
        Problem = "This invitation link is not valid any more: it was used, it expired, or it was never issued. Ask for a new one.";
        Response.StatusCode = StatusCodes.Status404NotFound;
    }
}
