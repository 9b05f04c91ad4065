using System.Net;
using System.Text.RegularExpressions;
using Tollgate.Web;

namespace Tollgate.Tests.Infrastructure;

/// <summary>Signs in to the console through its form, as a browser does (the CSRF field included).</summary>
internal static partial class ConsoleSignIn
{
    /// <summary>Signs <paramref name="client"/> in with <paramref name="token"/>; returns the session cookie (<c>name=value</c>).</summary>
    public static async Task<string> SignInAsync(HttpClient client, string token)
    {
        using var page = await client.GetAsync(ConsoleSession.SignInPath);
        var csrf = CsrfField().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        using var signedIn = await client.PostAsync(ConsoleSession.SignInPath,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["__csrf"] = csrf }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(ConsoleSession.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
    }

    /// <summary>A client with a console session of the full admin token, keeping its cookies.</summary>
    public static async Task<HttpClient> ClientAsync(TollgateFactory app)
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        await SignInAsync(client, TollgateFactory.AdminToken);
        return client;
    }

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
