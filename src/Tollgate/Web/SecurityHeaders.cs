namespace Tollgate.Web;

/// <summary>
/// Headers for the browser-facing pages: scripts and styles only from this origin (no inline
/// script), no framing, no sniffing, no referrer, and nothing cached — the pages show account data.
/// </summary>
internal static class SecurityHeaders
{
    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IApplicationBuilder UseBrowserSecurityHeaders(this IApplicationBuilder app) =>
        app.UseWhen(context => WebRoutes.IsBrowserPath(context.Request.Path), browser => browser.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = Policy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (!context.Request.Path.StartsWithSegments(WebRoutes.Assets))
            {
                // Exactly what the form protection sets on a page with a token, so it has nothing to override (and warn about).
                headers.CacheControl = "no-cache, no-store";
                headers.Pragma = "no-cache";
            }
            return next(context);
        }));
}
