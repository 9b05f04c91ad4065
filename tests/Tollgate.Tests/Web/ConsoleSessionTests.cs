using System.Net;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Web;

/// <summary>A console session is bound to the admin token that started it and has an absolute lifetime.</summary>
public sealed class ConsoleSessionTests
{
    [Fact]
    public async Task Console_AfterRestartWithAnotherAdminToken_SessionIsRejected()
    {
        string cookie, dataDir;
        await using (var first = new TollgateFactory { KeepDataDir = true })
        {
            cookie = await SignInAsync(first, TollgateFactory.AdminToken);
            dataDir = first.DataDir;
        }
        await using (var sameToken = new TollgateFactory(dataDir: dataDir) { KeepDataDir = true })
            Assert.Equal(HttpStatusCode.OK, await OpenConsoleAsync(sameToken, cookie));
        await using var rotated = new TollgateFactory(dataDir: dataDir, adminToken: "a-new-operator-token-after-rotation");

        var status = await OpenConsoleAsync(rotated, cookie);

        Assert.Equal(HttpStatusCode.Redirect, status);
    }

    [Fact]
    public async Task Console_ScopedTokenRevoked_SessionIsRejected()
    {
        await using var app = new TollgateFactory();
        using var admin = app.AdminClient();
        var secret = await admin.CreateTokenAsync("read");
        var cookie = await SignInAsync(app, secret);
        Assert.Equal(HttpStatusCode.OK, await OpenConsoleAsync(app, cookie));
        var tokenId = (await admin.GetJsonAsync("/admin/v1/tokens")).Data().Single(t => t!["name"]!.GetValue<string>() == "scoped")!["id"]!.GetValue<string>();

        await admin.SendAsync(HttpMethod.Post, $"/admin/v1/tokens/{tokenId}/revoke");

        Assert.Equal(HttpStatusCode.Redirect, await OpenConsoleAsync(app, cookie));
    }

    [Fact]
    public async Task Console_ActiveSessionPastAbsoluteLifetime_IsRejected()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var app = new TollgateFactory(time);
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        await SignInAsync(app, TollgateFactory.AdminToken, client);
        var statuses = new List<HttpStatusCode>();

        // Used every 7 hours, so the 8-hour sliding window never lapses; the 24-hour limit still ends it.
        for (var i = 0; i < 4; i++)
        {
            time.Advance(TimeSpan.FromHours(7));
            using var response = await client.GetAsync("/console");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Redirect], statuses);
    }

    /// <summary>Signs in through the form; returns the session cookie (<c>name=value</c>).</summary>
    private static async Task<string> SignInAsync(TollgateFactory app, string token, HttpClient? client = null)
    {
        using var own = client is null ? app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true }) : null;
        return await ConsoleSignIn.SignInAsync(client ?? own!, token);
    }

    private static async Task<HttpStatusCode> OpenConsoleAsync(TollgateFactory app, string cookie)
    {
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
