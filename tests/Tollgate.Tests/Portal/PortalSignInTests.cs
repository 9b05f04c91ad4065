using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Portal;

/// <summary>Invitations work once and until they expire; passwords are Identity hashes; sign-in is throttled per address and per account.</summary>
public sealed class PortalSignInTests
{
    [Fact]
    public async Task Invite_LinkUsedTwice_SecondIsRefusedAndOneUserExists()
    {
        await using var app = new TollgateFactory();
        var customer = (await app.CustomerAsync("Acme")).Id();
        var link = await app.InviteAsync(customer, "Ada@Example.com");

        using var first = app.Browser();
        using var accepted = await first.AcceptAsync(link);
        using var second = app.Browser();
        using var reopened = await second.GetAsync(link);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal("/portal", accepted.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, reopened.StatusCode);
        var user = Assert.Single(await app.Services.GetRequiredService<ICustomerUserStore>().ListUsersAsync(customer));
        Assert.Equal("ada@example.com", user.Email);
        Assert.StartsWith("AQAAAA", user.PasswordHash, StringComparison.Ordinal);
        Assert.DoesNotContain(PortalScene.Password, user.PasswordHash, StringComparison.Ordinal);
        using var overview = await first.GetAsync("/portal");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Contains("Acme", await overview.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invite_OpenedAtItsExpiryInstant_IsRefused()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero));
        await using var app = new TollgateFactory(time);
        var customer = (await app.CustomerAsync("Acme")).Id();
        using var admin = app.AdminClient();
        var created = await admin.PostJsonAsync($"/admin/v1/customers/{customer}/invitations", """{"email":"late@example.com","role":"developer","expires_in_hours":1}""");
        var link = created["path"]!.GetValue<string>();
        using var browser = app.Browser();
        var csrf = await PortalScene.CsrfAsync(browser, link);

        time.Advance(TimeSpan.FromHours(1));
        using var refused = await browser.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = csrf, ["password"] = PortalScene.Password, ["confirm"] = PortalScene.Password,
        }));

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Empty(await app.Services.GetRequiredService<ICustomerUserStore>().ListUsersAsync(customer));
        var listed = Assert.Single((await admin.GetJsonAsync($"/admin/v1/customers/{customer}/invitations")).Data());
        Assert.Equal("expired", listed!["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("short")]
    [InlineData("            ")]
    public async Task Invite_WeakPassword_RefusedAndLinkStillWorks(string password)
    {
        await using var app = new TollgateFactory();
        var link = await app.InviteAsync((await app.CustomerAsync("Acme")).Id(), "ada@example.com");
        using var browser = app.Browser();

        using var refused = await browser.AcceptAsync(link, password);
        using var mismatched = await browser.AcceptAsync(link, PortalScene.Password, PortalScene.Password + "!");
        using var accepted = await browser.AcceptAsync(link);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, mismatched.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
    }

    [Theory]
    [InlineData("""{"email":"not-an-email","role":"owner"}""", "email")]
    [InlineData("""{"email":"a@b@example.com","role":"owner"}""", "email")]
    [InlineData("""{"email":"ada@example.com","role":"admin"}""", "role")]
    [InlineData("""{"email":"ada@example.com","role":"owner","expires_in_hours":0}""", "expires_in_hours")]
    [InlineData("""{"email":"ada@example.com","role":"owner","expires_in_hours":721}""", "expires_in_hours")]
    [InlineData("""{"email":"ada@example.com","role":"owner","expires_in_hours":"24"}""", "expires_in_hours")]
    public async Task InviteApi_HostileBody_400NamingTheField(string body, string param)
    {
        await using var app = new TollgateFactory();
        using var admin = app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        using var response = await admin.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer}/invitations", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, (await response.ReadJsonAsync())!["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task InviteApi_ReadScopeOrUnknownCustomer_Refused()
    {
        await using var app = new TollgateFactory();
        using var admin = app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();
        using var reader = app.AdminClient(await admin.CreateTokenAsync("read"));

        using var readOnly = await reader.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer}/invitations", """{"email":"a@example.com","role":"owner"}""");
        using var unknown = await admin.RawAsync(HttpMethod.Post, "/admin/v1/customers/cus_nobody/invitations", """{"email":"a@example.com","role":"owner"}""");

        Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task SignIn_RightAndWrongPassword_OnlyTheRightOneOpensThePortal()
    {
        await using var app = new TollgateFactory();
        var customer = (await app.CustomerAsync("Acme")).Id();
        (await app.SignedInAsync(customer, "ada@example.com")).Dispose();
        using var browser = app.Browser();

        using var wrong = await browser.SignInAsync("ada@example.com", PortalScene.Password + "x");
        using var unknown = await browser.SignInAsync("nobody@example.com");
        using var before = await browser.GetAsync("/portal");
        using var right = await browser.SignInAsync(" ADA@example.com ");
        using var after = await browser.GetAsync("/portal");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, before.StatusCode);
        Assert.StartsWith("/portal/signin", before.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task SignIn_TooManyWrongPasswordsForOneAccount_RightPasswordAlso429()
    {
        await using var app = new TollgateFactory();
        app.Configuration["Portal:SignInFailuresPerAccount"] = "3";
        var customer = (await app.CustomerAsync("Acme")).Id();
        (await app.SignedInAsync(customer, "ada@example.com")).Dispose();
        using var browser = app.Browser();

        for (var i = 0; i < 3; i++) (await browser.SignInAsync("ada@example.com", "wrong password " + i)).Dispose();
        using var blocked = await browser.SignInAsync("ada@example.com");
        using var otherAccount = await browser.SignInAsync("someone@example.com", "wrong password");

        Assert.Equal((HttpStatusCode)429, blocked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAccount.StatusCode);
    }

    [Fact]
    public async Task Session_UserRemovedByOperator_EndsOnTheNextRequest()
    {
        await using var app = new TollgateFactory();
        var customer = (await app.CustomerAsync("Acme")).Id();
        using var browser = await app.SignedInAsync(customer, "ada@example.com");
        using var admin = app.AdminClient();
        var userId = (await admin.GetJsonAsync($"/admin/v1/customers/{customer}/users")).Data().Single()!["id"]!.GetValue<string>();
        using var before = await browser.GetAsync("/portal");

        await admin.SendAsync(HttpMethod.Post, $"/admin/v1/customers/{customer}/users/{userId}/remove");
        using var after = await browser.GetAsync("/portal");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        var audit = (await admin.GetJsonAsync("/admin/v1/audit")).Data().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("customer_user.remove", audit);
        Assert.Contains("customer_user.create", audit);
        Assert.Contains("portal_invitation.create", audit);
    }

    [Fact]
    public async Task Portal_SecurityHeaders_SameStrictPolicyAsTheConsole()
    {
        await using var app = new TollgateFactory();
        using var browser = app.Browser();

        using var portal = await browser.GetAsync("/portal/signin");
        using var console = await browser.GetAsync("/console/signin");

        Assert.Equal(console.Headers.GetValues("Content-Security-Policy"), portal.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("no-store", portal.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal(["DENY"], portal.Headers.GetValues("X-Frame-Options"));
    }

    [Fact]
    public async Task SignIn_FormWithoutCsrf_Refused()
    {
        await using var app = new TollgateFactory();
        using var browser = app.Browser();

        using var response = await browser.PostAsync("/portal/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "a@example.com", ["password"] = "x" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
