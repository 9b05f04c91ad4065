using System.Net;
using Tollgate.Tests.Infrastructure;
using Tollgate.Web;

namespace Tollgate.Tests.Web;

/// <summary>The browser pages' headers: nothing cached, and set so the form protection has nothing to override (and log).</summary>
public sealed class SecurityHeadersTests
{
    [Fact]
    public async Task SignInPage_FormWithCsrfToken_NotCachedAndNothingLoggedAboutOverriddenHeaders()
    {
        await using var app = new TollgateFactory();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        using var page = await client.GetAsync(ConsoleSession.SignInPath);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.True(page.Headers.CacheControl?.NoStore, "the page may be cached");
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains("overridden", StringComparison.OrdinalIgnoreCase));
    }
}
