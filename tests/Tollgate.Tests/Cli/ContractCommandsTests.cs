using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class ContractCommandsTests : CliTestBase
{
    [Fact]
    public async Task ContractsCreateProgressCancel_PostpaidCustomer_TablesAndRefusals()
    {
        var customers = (await Cli.JsonAsync("customers", "list")).GetProperty("data").EnumerateArray().ToList();
        var prepaid = customers.Single(c => c.GetProperty("billing_mode").GetString() == "prepaid").GetProperty("id").GetString()!;
        var created = await Cli.JsonAsync("customers", "create", "--name", "Globex", "--billing-mode", "postpaid");
        var customer = created.GetProperty("id").GetString()!;

        var refused = await Cli.RunAsync("contracts", "create", "--customer", prepaid, "--ends", "2030-01-01", "--commitment", "100");
        var made = await Cli.JsonAsync("contracts", "create", "--customer", customer, "--ends", "2030-01-01", "--commitment", "250",
            "--discount", "5", "--entitle", "tg-flagship", "--rate", "tg-pro=1.5/6");
        var id = made.GetProperty("id").GetString()!;
        var progress = await Cli.RunAsync("contracts", "progress", id);
        var list = await Cli.RunAsync("contracts", "list", "--customer", customer);
        var cancelled = await Cli.JsonAsync("contracts", "cancel", id);
        var badRate = await Cli.RunAsync("contracts", "create", "--customer", customer, "--ends", "2030-01-01", "--commitment", "1", "--rate", "tg-pro");

        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("postpaid", refused.Error);
        Assert.Equal("active", made.GetProperty("status").GetString());
        Assert.Equal("1.5", made.GetProperty("rate_overrides").GetProperty("tg-pro").GetProperty("input").GetString());
        Assert.Contains("Projected true-up", progress.Output);
        Assert.Contains("tg-flagship", list.Output);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(ExitCodes.Refused, badRate.ExitCode);
        Assert.Contains("MODEL=INPUT/OUTPUT", badRate.Error);
    }

    [Fact]
    public async Task GatesAndInvitations_SetRuleInviteRevoke_Shown()
    {
        var customer = await DemoCustomerIdAsync();

        var set = await Cli.RunAsync("gates", "set", "tg-flagship", "--min-spend", "250", "--spend-days", "60", "--min-account-age-days", "7");
        var gates = await Cli.RunAsync("gates", "list");
        var invited = await Cli.JsonAsync("invitations", "create", "--customer", customer, "--model", "tg-flagship", "--days", "7", "--note", "pilot");
        var revoked = await Cli.JsonAsync("invitations", "revoke", invited.GetProperty("id").GetString()!);
        var notGated = await Cli.RunAsync("gates", "set", "tg-mini", "--min-spend", "1");

        Assert.Equal(ExitCodes.Ok, set.ExitCode);
        Assert.Contains("60 days", gates.Output);
        Assert.Equal("valid", invited.GetProperty("status").GetString());
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        Assert.Equal(ExitCodes.Refused, notGated.ExitCode);
        Assert.Contains("not gated", notGated.Error);
    }
}
