using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tollgate.Admin.Services;

namespace Tollgate.Web;

/// <summary>
/// A console or portal page whose changes end in a redirect carrying a one-time message: the success text, or the
/// application service's error message (the same one the admin API answers with).
/// </summary>
internal abstract class FlashPage : PageModel
{
    [TempData]
    public string? Notice { get; set; }

    [TempData]
    public string? Problem { get; set; }

    /// <summary>After a change: the message on success, the service's error message otherwise; then back to <paramref name="page"/>.</summary>
    protected IActionResult Done<T>(Outcome<T> outcome, Func<T, string> success, string? page = null, object? routeValues = null) where T : class
    {
        if (outcome.Error is { } error) Problem = error.Error.Message;
        else Notice = success(outcome.Value!);
        return RedirectToPage(page, routeValues);
    }
}
