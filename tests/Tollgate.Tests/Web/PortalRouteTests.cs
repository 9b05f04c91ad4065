using System.Net;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tests.Portal;
using Tollgate.Web;

namespace Tollgate.Tests.Web;

/// <summary>The portal's route table: every page but sign-in and the invitation link needs a portal session, every form a CSRF token.</summary>
public sealed class PortalRouteTests : TollgateTestBase
{
    private static readonly string[] Anonymous = [PortalSession.SignInPath, "/portal/invite/{token}"];

    private IReadOnlyList<(string Route, Type Model)> PortalPages() => PageRoutes.Under(App, "/portal");

    private static string Fill(string route) => PageRoutes.Fill(route);

    [Fact]
    public async Task EveryPortalPage_WithoutASession_RedirectsToSignIn()
    {
        var pages = PortalPages().Where(p => !Anonymous.Contains(p.Route)).ToList();
        Assert.True(pages.Count >= 2, $"only {pages.Count} portal pages found");
        using var client = App.CreateClient(new() { AllowAutoRedirect = false });
        foreach (var (route, _) in pages)
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
            {
                using var response = await client.SendAsync(new HttpRequestMessage(method, Fill(route)));
                Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{method} {route}: {response.StatusCode}");
                Assert.StartsWith(PortalSession.SignInPath, response.Headers.Location!.AbsolutePath);
            }
        }
    }

    [Fact]
    public async Task ConsoleSession_DoesNotOpenThePortal_AndPortalSessionDoesNotOpenTheConsole()
    {
        var customer = (await App.CustomerAsync("Acme")).Id();
        using var browser = await App.SignedInAsync(customer, "ada@example.com");

        using var console = await browser.GetAsync("/console");

        Assert.Equal(HttpStatusCode.Redirect, console.StatusCode);
        Assert.StartsWith(ConsoleSession.SignInPath, console.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task EveryFormHandler_WithASessionButNoCsrfToken_IsRefused()
    {
        var customer = (await App.CustomerAsync("Acme")).Id();
        using var browser = await App.SignedInAsync(customer, "ada@example.com");
        var checkedForms = 0;
        foreach (var (route, model) in PortalPages())
        {
            foreach (var handler in PageRoutes.PostHandlers(model))
            {
                var name = PageRoutes.HandlerName(handler);
                using var response = await browser.PostAsync(Fill(route) + (name.Length == 0 ? "" : "?handler=" + name), new FormUrlEncodedContent([]));
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"POST {route} handler {name}: {response.StatusCode}");
                checkedForms++;
            }
        }
        Assert.True(checkedForms >= 3, $"only {checkedForms} form handlers found");
    }
}
