using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Tollgate.Tests.Infrastructure;
using Tollgate.Web;

namespace Tollgate.Tests.Web;

/// <summary>The console's route table: every page needs a session, every form handler a scope and a CSRF token.</summary>
public sealed partial class ConsoleRouteTests : TollgateTestBase
{
    private IReadOnlyList<(string Route, Type Model)> ConsolePages() => PageRoutes.Under(App, "/console");

    private static string Fill(string route) => PageRoutes.Fill(route);

    [Fact]
    public async Task EveryConsolePage_WithoutASession_RedirectsToSignIn()
    {
        var pages = ConsolePages();
        Assert.True(pages.Count >= 9, $"only {pages.Count} console pages found");
        using var client = App.CreateClient(new() { AllowAutoRedirect = false });
        foreach (var (route, _) in pages.Where(p => p.Route != ConsoleSession.SignInPath))
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
            {
                using var response = await client.SendAsync(new HttpRequestMessage(method, Fill(route)));
                Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{method} {route}: {response.StatusCode}");
                Assert.StartsWith(ConsoleSession.SignInPath, response.Headers.Location!.AbsolutePath);
            }
        }
    }

    [Fact]
    public void EveryFormHandler_DeclaresTheScopeItNeeds()
    {
        foreach (var (route, model) in ConsolePages())
        {
            foreach (var handler in PostHandlers(model).Where(_ => model.IsSubclassOf(typeof(ConsolePage))))
                Assert.True(handler.GetCustomAttribute<ConsoleScopeAttribute>() is not null, $"{route} {handler.Name} declares no scope");
        }
    }

    [Fact]
    public async Task EveryFormHandler_WithASessionButNoCsrfToken_IsRefused()
    {
        using var client = App.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        using var signIn = await client.GetAsync(ConsoleSession.SignInPath);
        var html = await signIn.Content.ReadAsStringAsync();
        var token = CsrfField().Match(html).Groups[1].Value;
        Assert.NotEmpty(token);
        using var signedIn = await client.PostAsync(ConsoleSession.SignInPath,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = TollgateFactory.AdminToken, ["__csrf"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var checkedForms = 0;
        foreach (var (route, model) in ConsolePages())
        {
            foreach (var handler in PostHandlers(model))
            {
                var name = HandlerName(handler);
                using var response = await client.PostAsync(Fill(route) + (name.Length == 0 ? "" : "?handler=" + name), new FormUrlEncodedContent([]));
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"POST {route} handler {name}: {response.StatusCode}");
                checkedForms++;
            }
        }
        Assert.True(checkedForms >= 8, $"only {checkedForms} form handlers found");
        // The session itself works: a page renders with it.
        using var overview = await client.GetAsync("/console");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
    }

    private static IEnumerable<MethodInfo> PostHandlers(Type model) => PageRoutes.PostHandlers(model);

    private static string HandlerName(MethodInfo handler) => PageRoutes.HandlerName(handler);

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
