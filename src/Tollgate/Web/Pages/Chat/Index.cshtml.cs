using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Tollgate.Web.Pages.Chat;

/// <summary>
/// The subscriber chat page: a shell and a small script that are clients of the public API with the
/// subscriber's own key (held in the tab's session storage, sent only to this origin), so every answer
/// goes through the gateway pipeline — limits, allowance windows, metering — like any API call.
/// </summary>
internal sealed class IndexModel(EndpointDataSource endpoints) : PageModel
{
    /// <summary>Rating answers needs the feedback endpoint; the page offers it only where this server has one.</summary>
    public bool FeedbackAvailable { get; private set; }

    public void OnGet() =>
        FeedbackAvailable = endpoints.Endpoints.OfType<RouteEndpoint>().Any(e =>
            string.Equals(e.RoutePattern.RawText?.TrimStart('/'), "v1/feedback", StringComparison.Ordinal)
            && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true);
}
