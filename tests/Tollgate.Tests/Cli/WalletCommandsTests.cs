using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class WalletCommandsTests : CliTestBase
{
    [Fact]
    public async Task WalletGrant_ThenShow_ListsEveryGrantAndTheBalance()
    {
        var customer = (await Cli.JsonAsync("customers", "create", "--name", "Wallet Co")).GetProperty("id").GetString()!;

        var granted = await Cli.RunAsync("wallet", "grant", customer, "--amount", "25.50", "--note", "first top-up");
        var promo = await Cli.JsonAsync("wallet", "grant", customer, "--amount", "5", "--kind", "promotional", "--expires-at", "2099-01-01");
        var shown = await Cli.RunAsync("wallet", "show", customer);

        Assert.Equal(ExitCodes.Ok, granted.ExitCode);
        Assert.Contains($"Granted $25.50 (purchased) to {customer}.", granted.Output);
        Assert.Equal("30.5", promo.GetProperty("balance").GetString());
        var promoGrant = promo.GetProperty("grants").EnumerateArray().Single(g => g.GetProperty("kind").GetString() == "promotional");
        Assert.Contains(promoGrant.GetProperty("id").GetString()!, shown.Output);
        Assert.Contains("$30.5", shown.Output);
        Assert.Contains("2099-01-01 00:00:00Z", shown.Output);
        Assert.Contains("purchased", shown.Output);
    }

    [Fact]
    public async Task WalletShow_WithJson_PrintsTheApiDocumentAsIs()
    {
        var customer = await DemoCustomerIdAsync();
        var direct = await App.AdminClient().GetStringAsync($"/admin/v1/customers/{customer}/wallet");

        var result = await Cli.RunAsync("wallet", "show", customer, "--json");

        Assert.Equal(direct, result.Output.TrimEnd('\n'));
    }

    [Fact]
    public async Task WalletGrant_NegativeAmount_PrintsTheServersMessageAndParam()
    {
        var customer = await DemoCustomerIdAsync();

        var result = await Cli.RunAsync("wallet", "grant", customer, "--amount", "-3");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("param: amount", result.Error);
    }
}
