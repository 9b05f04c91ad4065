namespace Tollgate.Web.Pages.Portal;

/// <summary>Where a developer lands when a page or action is for owners only.</summary>
internal sealed class DeniedModel : PortalPage
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
