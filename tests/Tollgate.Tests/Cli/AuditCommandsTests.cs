using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class AuditCommandsTests : CliTestBase
{

    [Fact]
    public async Task AuditList_ForACustomer_ShowsCreateAndWhatAnUpdateChanged()
    {
        var id = (await Cli.JsonAsync("customers", "create", "--name", "Audited")).GetProperty("id").GetString()!;
        await Cli.JsonAsync("customers", "update", id, "--billing-mode", "postpaid");

        var table = await Cli.RunAsync("audit", "list", "--target-type", "customer", "--target-id", id);
        var json = await Cli.JsonAsync("audit", "list", "--target-id", id);

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains("customer.create", table.Output);
        Assert.Contains("created", table.Output);
        Assert.Contains("billing_mode: \"prepaid\" → \"postpaid\"", table.Output);
        Assert.Equal(["customer.update", "customer.create"], json.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task AuditList_WithLimit_SaysHowToFetchTheNextPage()
    {
        await Cli.JsonAsync("customers", "create", "--name", "One");
        await Cli.JsonAsync("customers", "create", "--name", "Two");

        var first = await Cli.JsonAsync("audit", "list", "--limit", "1");
        var table = await Cli.RunAsync("audit", "list", "--limit", "1");
        var cursor = first.GetProperty("data")[0].GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var next = await Cli.JsonAsync("audit", "list", "--limit", "1", "--starting-after", cursor);

        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Contains($"--starting-after {cursor}", table.Output);
        Assert.True(next.GetProperty("data")[0].GetProperty("id").GetInt64() < long.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture));
    }
}
