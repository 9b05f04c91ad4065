using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

/// <summary><c>tollgate economics</c>: the local simulator needs no server; reports ask the running one.</summary>
public sealed class EconomicsCommandsTests : CliTestBase
{
    /// <summary>No server, no token: <c>simulate</c> is a calculation.</summary>
    private static readonly CliHarness Offline = new(null, new Dictionary<string, string>());

    [Fact]
    public async Task Simulate_IssueExample_Answers66666QueriesAMonth()
    {
        var result = await Offline.RunAsync("economics", "simulate", "--plan-price", "20", "--cost-per-mtok", "0.03", "--tokens-per-query", "10000");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("66,666 queries a month", result.Output, StringComparison.Ordinal);
        // At ten times the cost, a tenth of the queries.
        Assert.Contains("6,666", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_Json_WritesTheApiDocument()
    {
        var json = await Offline.JsonAsync("economics", "simulate", "--plan-price", "20", "--cost-per-mtok", "0.03", "--tokens-per-query", "10000");

        Assert.Equal(66_666, json.GetProperty("queries_per_month").GetInt64());
        Assert.Equal("0.0003", json.GetProperty("cost_per_query").GetString());
    }

    [Fact]
    public async Task Simulate_Months_TableChartAndHandComputedMargins()
    {
        string[] args = ["economics", "simulate", "--plan-price", "20", "--cost-per-mtok", "0.03", "--tokens-per-query", "10000",
            "--queries-per-month", "50000", "--months", "3", "--cost-change", "-10", "--usage-growth", "20"];

        var json = await Offline.JsonAsync(args);
        var shown = await Offline.RunAsync(args);

        Assert.Equal(["5", "3.8", "2.504"], json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("margin").GetString()));
        Assert.Equal("11.304", json.GetProperty("margin").GetString());
        Assert.Contains("Margin by month", shown.Output, StringComparison.Ordinal);
        Assert.Contains("█", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_NoPlanPrice_RefusedNamingIt()
    {
        var result = await Offline.RunAsync("economics", "simulate", "--cost-per-mtok", "0.03", "--tokens-per-query", "10000");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("plan_price", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Margins_AgainstTheServer_PrintsATable()
    {
        var result = await Cli.RunAsync("economics", "margins", "--group-by", "model");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
    }

    [Fact]
    public async Task Replay_NothingProposed_RefusedBeforeAsking()
    {
        var result = await Cli.RunAsync("economics", "replay");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("--model", result.Error, StringComparison.Ordinal);
    }
}
