using Tollgate.Cli;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cli;

public sealed class AuditCommandsTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new();
    private CliHarness _cli = null!;

    public Task InitializeAsync()
    {
        _cli = CliHarness.For(_app);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AuditList_ForACustomer_ShowsCreateAndWhatAnUpdateChanged()
    {
        var id = (await _cli.JsonAsync("customers", "create", "--name", "Audited")).GetProperty("id").GetString()!;
        await _cli.JsonAsync("customers", "update", id, "--billing-mode", "postpaid");

        var table = await _cli.RunAsync("audit", "list", "--target-type", "customer", "--target-id", id);
        var json = await _cli.JsonAsync("audit", "list", "--target-id", id);

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains("customer.create", table.Output);
        Assert.Contains("created", table.Output);
        Assert.Contains("billing_mode: \"prepaid\" → \"postpaid\"", table.Output);
        Assert.Equal(["customer.update", "customer.create"], json.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task AuditList_WithLimit_SaysHowToFetchTheNextPage()
    {
        await _cli.JsonAsync("customers", "create", "--name", "One");
        await _cli.JsonAsync("customers", "create", "--name", "Two");

        var first = await _cli.JsonAsync("audit", "list", "--limit", "1");
        var table = await _cli.RunAsync("audit", "list", "--limit", "1");
        var cursor = first.GetProperty("data")[0].GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var next = await _cli.JsonAsync("audit", "list", "--limit", "1", "--starting-after", cursor);

        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Contains($"--starting-after {cursor}", table.Output);
        Assert.True(next.GetProperty("data")[0].GetProperty("id").GetInt64() < long.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture));
    }
}
