using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Billing.Wallets;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Budgets;

/// <summary>Stored figures that cannot be summed hold that one account closed; the server always starts.</summary>
public sealed class HeldAccountsTests
{
    private const string ChatBody = """{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task Restart_StoredGrantsBeyondADecimal_StartsAndHoldsOnlyThatAccountClosed()
    {
        var first = new TollgateFactory { KeepDataDir = true };
        string broken, brokenKey, sound, soundKey;
        using (var admin = first.AdminClient())
        {
            (broken, brokenKey) = await CustomerWithKeyAsync(admin);
            (sound, soundKey) = await CustomerWithKeyAsync(admin);
            // Two grants of the largest decimal, as an older version let through: their sum is beyond any decimal.
            var wallets = first.Services.GetRequiredService<IWalletStore>();
            var now = first.Time.GetUtcNow();
            foreach (var id in new[] { "grant_huge_1", "grant_huge_2" })
            {
                await wallets.AddGrantAsync(broken, new Grant(id, GrantKind.Purchased, decimal.MaxValue, now, null), null,
                    new AuditEntry("test", "grant.create", "customer", broken, null, null, now));
            }
        }
        await first.DisposeAsync();

        await using var restarted = new TollgateFactory(first.Time, dataDir: first.DataDir);
        using var again = restarted.AdminClient();
        using var heldCall = await restarted.ApiClient(brokenKey).PostAsync("/v1/chat/completions", JsonBody(ChatBody));
        using var soundCall = await restarted.ApiClient(soundKey).PostAsync("/v1/chat/completions", JsonBody(ChatBody));
        using var grant = await again.PostAsync($"/admin/v1/customers/{broken}/grants", JsonBody("""{"amount":"1"}"""));
        var soundWallet = await again.GetJsonAsync($"/admin/v1/customers/{sound}/wallet");

        await AssertErrorAsync(heldCall, HttpStatusCode.Forbidden, "account_held");
        Assert.Equal(HttpStatusCode.OK, soundCall.StatusCode);
        await AssertErrorAsync(grant, HttpStatusCode.Conflict, "account_held");
        Assert.StartsWith("99.99", soundWallet["available"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(restarted.Logs.Lines, line => line.Contains(broken, StringComparison.Ordinal) && line.Contains("held closed", StringComparison.Ordinal));
    }

    private static async Task<(string Customer, string Key)> CustomerWithKeyAsync(HttpClient admin)
    {
        var customer = (await admin.CreateCustomerAsync()).Id();
        await admin.PostJsonAsync($"/admin/v1/customers/{customer}/grants", """{"amount":"100"}""");
        var key = await admin.PostJsonAsync($"/admin/v1/customers/{customer}/keys", new JsonObject { ["name"] = "k" }.ToJsonString());
        return (customer, key["key"]!.GetValue<string>());
    }
}
