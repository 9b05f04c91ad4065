using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tests.Web;

namespace Tollgate.Tests.Portal;

/// <summary>A portal user reaches only their own customer; a developer only the keys they made; members are for owners.</summary>
public sealed partial class PortalAccessTests : TollgateTestBase
{
    [Fact]
    public async Task EveryPortalForm_PostedWithAnotherCustomersIds_ChangesNothingOfTheirs()
    {
        var acme = (await App.CustomerAsync("Acme")).Id();
        var globex = (await App.CustomerAsync("Globex")).Id();
        using var acmeOwner = await App.SignedInAsync(acme, "owner@acme.example");
        var acmeKey = await CreateKeyAsync(acmeOwner, "acme-prod");
        var acmeUser = (await App.Services.GetRequiredService<ICustomerUserStore>().ListUsersAsync(acme)).Single().Id;
        using var intruder = await App.SignedInAsync(globex, "owner@globex.example");
        var handlers = 0;

        foreach (var (route, model) in PageRoutes.Under(App, "/portal").Where(p => !p.Route.Contains('{', StringComparison.Ordinal)))
        {
            foreach (var handler in PageRoutes.PostHandlers(model))
            {
                var name = PageRoutes.HandlerName(handler);
                using var _ = await intruder.PostFormAsync(route, name.Length == 0 ? null : name,
                    ("keyId", acmeKey), ("userId", acmeUser), ("customerId", acme), ("id", acme), ("email", "x@acme.example"), ("role", "owner"));
                handlers++;
            }
        }

        Assert.True(handlers >= 6, $"only {handlers} handlers tried");
        var key = await App.Services.GetRequiredService<ICustomerStore>().GetKeyAsync(acmeKey);
        Assert.Null(key!.RevokedAt);
        Assert.Single(await App.Services.GetRequiredService<ICustomerStore>().ListKeysAsync(acme, new Page(100)) is { } page ? page.Items : []);
        Assert.Equal(acmeUser, Assert.Single(await App.Services.GetRequiredService<ICustomerUserStore>().ListUsersAsync(acme)).Id);
        Assert.Empty(await App.Services.GetRequiredService<ICustomerUserStore>().ListInvitationsAsync(acme) is { } invitations
            ? invitations.Where(i => i.CreatedBy != "env") : []);
    }

    [Fact]
    public async Task Developer_SeesAndManagesOnlyOwnKeys_OwnerSeesAll()
    {
        var acme = (await App.CustomerAsync("Acme")).Id();
        using var owner = await App.SignedInAsync(acme, "owner@acme.example");
        var ownerKey = await CreateKeyAsync(owner, "owner-key");
        using var developer = await App.SignedInAsync(acme, "dev@acme.example", "developer");
        var devKey = await CreateKeyAsync(developer, "dev-key");

        using var revokeOwners = await developer.PostFormAsync("/portal/keys", "Revoke", ("keyId", ownerKey));
        using var rotateOwners = await developer.PostFormAsync("/portal/keys", "Rotate", ("keyId", ownerKey));
        var developerSees = await (await developer.GetAsync("/portal/keys")).Content.ReadAsStringAsync();
        var ownerSees = await (await owner.GetAsync("/portal/keys")).Content.ReadAsStringAsync();
        using var revokeOwn = await developer.PostFormAsync("/portal/keys", "Revoke", ("keyId", devKey));

        Assert.Equal(HttpStatusCode.NotFound, revokeOwners.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, rotateOwners.StatusCode);
        Assert.Contains("dev-key", developerSees, StringComparison.Ordinal);
        Assert.DoesNotContain("owner-key", developerSees, StringComparison.Ordinal);
        Assert.Contains("dev-key", ownerSees, StringComparison.Ordinal);
        Assert.Contains("owner-key", ownerSees, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, revokeOwn.StatusCode);
        var store = App.Services.GetRequiredService<ICustomerStore>();
        Assert.Null((await store.GetKeyAsync(ownerKey))!.RevokedAt);
        Assert.NotNull((await store.GetKeyAsync(devKey))!.RevokedAt);
    }

    [Fact]
    public async Task Developer_MembersPageAndInvite_DeniedAndNothingInvited()
    {
        var acme = (await App.CustomerAsync("Acme")).Id();
        using var owner = await App.SignedInAsync(acme, "owner@acme.example");
        using var developer = await App.SignedInAsync(acme, "dev@acme.example", "developer");
        var csrf = await PortalScene.CsrfAsync(developer, "/portal/keys");

        using var page = await developer.GetAsync("/portal/members");
        using var invite = await developer.PostAsync("/portal/members?handler=Invite", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = csrf, ["email"] = "friend@acme.example", ["role"] = "owner",
        }));

        Assert.Equal("/portal/denied", page.Headers.Location!.OriginalString);
        Assert.Equal("/portal/denied", invite.Headers.Location!.OriginalString);
        Assert.Equal(2, (await App.Services.GetRequiredService<ICustomerUserStore>().ListInvitationsAsync(acme)).Count);
    }

    [Fact]
    public async Task Owner_InvitesFromMembersPage_AuditNamesTheUser_AndTheLinkWorksOnce()
    {
        var acme = (await App.CustomerAsync("Acme")).Id();
        using var owner = await App.SignedInAsync(acme, "owner@acme.example");

        using var invited = await owner.PostFormAsync("/portal/members", "Invite", ("email", "dev@acme.example"), ("role", "developer"));
        var link = new Uri(InvitationLink().Match(await invited.Content.ReadAsStringAsync()).Groups[1].Value).AbsolutePath;
        using var developer = App.Browser();
        using var accepted = await developer.AcceptAsync(link);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var ownerId = (await App.Services.GetRequiredService<ICustomerUserStore>().FindUserByEmailAsync("owner@acme.example"))!.Id;
        using var admin = App.AdminClient();
        var entry = (await admin.GetJsonAsync("/admin/v1/audit")).Data().First(e => e!["action"]!.GetValue<string>() == "portal_invitation.create"
                                                                                    && e["after"]!.ToJsonString().Contains("dev@acme.example", StringComparison.Ordinal));
        Assert.Equal(ownerId, entry!["actor"]!.GetValue<string>());
    }

    [Fact]
    public async Task KeyMadeInThePortal_CallsTheApi_WithinItsScope()
    {
        var customer = App.Services.GetRequiredService<CatalogState>().Current.Keys.Values.First().CustomerId;
        using var owner = await App.SignedInAsync(customer, "owner@demo.example");

        using var created = await owner.PostFormAsync("/portal/keys", "Create", ("name", "first"), ("models", "tg-mini"), ("budget", "5"));
        var secret = Secret().Match(await created.Content.ReadAsStringAsync()).Groups[1].Value;
        using var api = App.ApiClient(secret);
        using var response = await api.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}"""));
        using var badBudget = await owner.PostFormAsync("/portal/keys", "Create", ("name", "second"), ("budget", "1,5"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, badBudget.StatusCode);
        Assert.Single((await App.Services.GetRequiredService<ICustomerStore>().ListKeysAsync(customer, new Page(100))).Items, k => k.Name == "first");
        Assert.DoesNotContain((await App.Services.GetRequiredService<ICustomerStore>().ListKeysAsync(customer, new Page(100))).Items, k => k.Name == "second");
    }

    private static async Task<string> CreateKeyAsync(HttpClient browser, string name)
    {
        using var created = await browser.PostFormAsync("/portal/keys", "Create", ("name", name));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        return KeyId().Match(await created.Content.ReadAsStringAsync()).Groups[1].Value;
    }

    [GeneratedRegex("id=\"secret\">tg_([a-z0-9]{12})_")]
    private static partial Regex KeyId();

    [GeneratedRegex("id=\"secret\">(tg_[A-Za-z0-9_]+)<")]
    private static partial Regex Secret();

    [GeneratedRegex("id=\"invitation-link\">([^<]+)<")]
    private static partial Regex InvitationLink();
}
