using OpenAI.Chat;
using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class UsageCommandsTests : CliTestBase
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await App.OpenAi().GetChatClient("tg-mini").CompleteChatAsync([new UserChatMessage("Meter me")]);
        await App.OpenAi().GetChatClient("tg-pro").CompleteChatAsync([new UserChatMessage("And me")]);
    }

    [Fact]
    public async Task UsageList_ForPeopleAndJson_ShowsEachMeteredRequest()
    {
        var table = await Cli.RunAsync("usage", "list");
        var json = await Cli.JsonAsync("usage", "list");

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains("tg-mini-sim", table.Output);
        Assert.Contains("tg-pro-sim", table.Output);
        var events = json.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.True(decimal.Parse(e.GetProperty("charged_amount").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0));
        Assert.Contains(events[0].GetProperty("request_id").GetString()!, table.Output);
    }

    [Fact]
    public async Task UsageList_WithModelFilterAndLimit_FiltersAndPages()
    {
        var mini = await Cli.JsonAsync("usage", "list", "--model", "tg-mini");
        var page = await Cli.RunAsync("usage", "list", "--limit", "1");

        Assert.Equal("tg-mini", Assert.Single(mini.GetProperty("data").EnumerateArray()).GetProperty("model").GetString());
        Assert.Contains("--starting-after", page.Output);
    }

    [Fact]
    public async Task UsageSummary_GroupByModel_TotalsEachModelWithMargin()
    {
        var table = await Cli.RunAsync("usage", "summary", "--group-by", "model");
        var json = await Cli.JsonAsync("usage", "summary", "--group-by", "model");

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains("Usage by model", table.Output);
        Assert.Contains("Margin", table.Output);
        Assert.Equal("model", json.GetProperty("group_by").GetString());
        Assert.Equal(["tg-mini", "tg-pro"], json.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("group").GetString()).Order());
    }

    [Fact]
    public async Task UsageSummary_NoUsageInRange_SaysSo()
    {
        var result = await Cli.RunAsync("usage", "summary", "--from", "2001-01-01", "--to", "2001-02-01");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("No usage", result.Output);
    }
}
