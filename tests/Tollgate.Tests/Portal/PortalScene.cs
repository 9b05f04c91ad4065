using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Portal;

/// <summary>Drives the portal as a browser would: an operator's invitation, the invited person's password, sign-in, forms with their CSRF field.</summary>
internal static partial class PortalScene
{
    public const string Password = "correct horse battery staple";

    /// <summary>The operator invites someone; returns the one-time link's path.</summary>
    public static async Task<string> InviteAsync(this TollgateFactory app, string customerId, string email, string role = "owner")
    {
        using var admin = app.AdminClient();
        var created = await admin.PostJsonAsync($"/admin/v1/customers/{customerId}/invitations", $$"""{"email":"{{email}}","role":"{{role}}"}""");
        return created["path"]!.GetValue<string>();
    }

    /// <summary>A browser with its own cookies that does not follow redirects.</summary>
    public static HttpClient Browser(this TollgateFactory app) => app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Opens the link and sets the password; returns the final response (a redirect to /portal when it worked).</summary>
    public static async Task<HttpResponseMessage> AcceptAsync(this HttpClient browser, string path, string password = Password, string? confirm = null)
    {
        var csrf = await CsrfAsync(browser, path);
        return await browser.PostAsync(path, Form(csrf, ("password", password), ("confirm", confirm ?? password)));
    }

    public static async Task<HttpResponseMessage> SignInAsync(this HttpClient browser, string email, string password = Password)
    {
        var csrf = await CsrfAsync(browser, "/portal/signin");
        return await browser.PostAsync("/portal/signin", Form(csrf, ("email", email), ("password", password)));
    }

    /// <summary>Invites, accepts and returns a signed-in browser for a new user of <paramref name="customerId"/>.</summary>
    public static async Task<HttpClient> SignedInAsync(this TollgateFactory app, string customerId, string email, string role = "owner")
    {
        var browser = app.Browser();
        using var accepted = await browser.AcceptAsync(await app.InviteAsync(customerId, email, role));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        return browser;
    }

    /// <summary>Posts a form on a page (its CSRF field read from the page first) to a handler.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient browser, string page, string? handler, params (string Name, string Value)[] fields)
    {
        var csrf = await CsrfAsync(browser, page);
        return await browser.PostAsync(handler is null ? page : $"{page}?handler={handler}", Form(csrf, fields));
    }

    public static async Task<string> CsrfAsync(HttpClient browser, string page)
    {
        using var response = await browser.GetAsync(page);
        var match = CsrfField().Match(await response.Content.ReadAsStringAsync());
        Assert.True(match.Success, $"No CSRF field on {page} ({response.StatusCode}).");
        return match.Groups[1].Value;
    }

    public static async Task<JsonObject> CustomerAsync(this TollgateFactory app, string name)
    {
        using var admin = app.AdminClient();
        return await admin.CreateCustomerAsync(name);
    }

    private static FormUrlEncodedContent Form(string csrf, params (string Name, string Value)[] fields) =>
        new([new("__csrf", csrf), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
