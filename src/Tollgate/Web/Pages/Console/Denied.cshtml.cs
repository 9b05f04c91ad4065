using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Tollgate.Web.Pages.Console;

/// <summary>Where a session lands when its token lacks the scope a page or form needs (any session may see this page).</summary>
internal sealed class DeniedModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Scope { get; set; }

    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
