using Microsoft.Data.Sqlite;
using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class LedgerAndReconcileCommandsTests : BillingCliTestBase
{
    [Fact]
    public async Task LedgerAdd_DiscountThenCorrection_ListedAndBilledOnTheDraft()
    {
        var added = await Cli.RunAsync("ledger", "add", Customer, "--kind", "discount", "--amount", "0.004", "--note", "Goodwill");
        var discount = (await Cli.JsonAsync("ledger", "list", Customer)).GetProperty("data").EnumerateArray()
            .Single(e => e.GetProperty("kind").GetString() == "discount").GetProperty("id").GetInt64();
        var correction = await Cli.JsonAsync("ledger", "add", Customer, "--kind", "adjustment", "--amount", "-0.001", "--corrects", $"{discount}");
        var listed = await Cli.RunAsync("ledger", "list", Customer);
        await Cli.JsonAsync("invoices", "run", "--period", "2026-10");
        var total = (await Cli.JsonAsync("invoices", "list", "--customer", Customer)).GetProperty("data")[0].GetProperty("total").GetString();

        Assert.True(added.ExitCode == ExitCodes.Ok, added.ToString());
        Assert.Contains("Goodwill", added.Output);
        Assert.Equal(discount, correction.GetProperty("corrects").GetInt64());
        Assert.Contains("-$0.001", listed.Output);
        Assert.Contains("$0.004", listed.Output);
        // $0.01 of usage, less the $0.004 discount, plus the -$0.001 adjustment that takes back part of it.
        Assert.Equal("0.007", total);
    }

    [Fact]
    public async Task LedgerAdd_NegativeDiscount_ExitsOneNamingTheAmount()
    {
        var result = await Cli.RunAsync("ledger", "add", Customer, "--kind", "discount", "--amount", "-1");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("param: amount", result.Error);
    }

    [Fact]
    public async Task Reconcile_BooksAgree_ExitsZero()
    {
        await FinalizedOctoberAsync();

        var result = await Cli.RunAsync("reconcile", "--period", "2026-10", "--all");
        var json = await Cli.JsonAsync("reconcile");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("All 1 customer-months in 2026-10 agree", result.Output);
        Assert.Contains(Customer, result.Output);
        Assert.True(json.GetProperty("agrees").GetBoolean());
        Assert.Equal("0.01", json.GetProperty("total_charged").GetString());
    }

    [Fact]
    public async Task Reconcile_UsageEventAlteredBehindTheLedger_PrintsTheDifferenceAndExitsSix()
    {
        await FinalizedOctoberAsync();
        await using (var connection = new SqliteConnection($"Data Source={Scene.App.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            using var tamper = connection.CreateCommand();
            tamper.CommandText = "UPDATE usage_events SET charged_amount = '0.02'";
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        var result = await Cli.RunAsync("reconcile", "--period", "2026-10");
        var json = await Cli.RunAsync("reconcile", "--json");

        Assert.Equal(ExitCodes.Differences, result.ExitCode);
        Assert.Contains("Differences in 2026-10", result.Output);
        Assert.Contains(Customer, result.Output);
        Assert.Contains("$0.02", result.Output);
        Assert.Contains("1 of 1 customer-months do not agree in 2026-10.", result.Error);
        Assert.Equal(ExitCodes.Differences, json.ExitCode);
        var difference = Assert.Single(json.Json().GetProperty("differences").EnumerateArray());
        Assert.Equal("0.02", difference.GetProperty("usage_events").GetString());
        Assert.Equal("0.01", difference.GetProperty("ledger_usage").GetString());
    }
}
