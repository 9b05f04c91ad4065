using Tollgate.Cli;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cli;

/// <summary><c>tiers</c>, against a server with spend tiers on (the default table).</summary>
public sealed class TierCommandsTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new() { Tiers = true };
    private CliHarness _cli = null!;

    public Task InitializeAsync()
    {
        _cli = CliHarness.For(_app);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task TiersList_PrintsTheDefaultTable()
    {
        var result = await _cli.RunAsync("tiers", "list");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("tier 5", result.Output);
        Assert.Contains("$1000", result.Output);
        Assert.Contains("$200000", result.Output);
    }

    [Fact]
    public async Task TiersSetShowClear_OverridesAndRestoresAutomaticPromotion()
    {
        var customer = (await _cli.JsonAsync("customers", "create", "--name", "Tiered")).GetProperty("id").GetString()!;

        var set = await _cli.RunAsync("tiers", "set", customer, "--level", "3", "--note", "partner");
        var shown = await _cli.RunAsync("tiers", "show", customer);
        var cleared = await _cli.JsonAsync("tiers", "clear", customer);
        var beyond = await _cli.RunAsync("tiers", "set", customer, "--level", "9");

        Assert.Contains($"{customer} is now in tier 3 until cleared.", set.Output);
        Assert.Contains("level 3", shown.Output);
        Assert.Contains("partner", shown.Output);
        Assert.Equal((0, false), (cleared.GetProperty("current").GetProperty("level").GetInt32(), cleared.GetProperty("overridden").GetBoolean()));
        Assert.Equal(ExitCodes.Refused, beyond.ExitCode);
        Assert.Contains("param: level", beyond.Error);
    }

    [Fact]
    public async Task TiersShow_FreeCustomer_SaysWhatTheNextTierAsks()
    {
        var customer = (await _cli.JsonAsync("customers", "create", "--name", "New")).GetProperty("id").GetString()!;

        var shown = await _cli.RunAsync("tiers", "show", customer);

        Assert.Contains("free (level 0)", shown.Output);
        Assert.Contains("tier 1 (level 1)", shown.Output);
        Assert.Contains("$5 paid (now $0)", shown.Output);
    }
}
