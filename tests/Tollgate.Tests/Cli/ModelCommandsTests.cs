using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class ModelCommandsTests : CliTestBase
{
    private const string Definition = """
        {"kind": "chat", "tier": "premium", "backends": [{"id": "tg-new-sim", "kind": "simulator"}], "price": {"input": "1.5", "output": "6"}}
        """;


    [Fact]
    public async Task ModelsList_ForPeople_PrintsTheCatalogWithCurrentPrices()
    {
        var result = await Cli.RunAsync("models", "list");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("tg-mini", result.Output);
        Assert.Contains("$0.15", result.Output);
        Assert.Contains("gated", result.Output);
    }

    [Fact]
    public async Task ModelsShow_ForPeopleAndJson_ShowsPriceVersionsAndBackends()
    {
        var table = await Cli.RunAsync("models", "show", "tg-mini");
        var json = await Cli.JsonAsync("models", "show", "tg-mini");

        Assert.Contains("Price versions", table.Output);
        Assert.Contains("tg-mini-sim", table.Output);
        Assert.Equal("tg-mini", json.GetProperty("id").GetString());
        Assert.Equal("0.15", json.GetProperty("price").GetProperty("input").GetString());
    }

    [Fact]
    public async Task ModelsPut_FromFile_CreatesTheModel()
    {
        var file = Path.Combine(App.DataDir, "model.json");
        await File.WriteAllTextAsync(file, Definition);

        var result = await Cli.RunAsync("models", "put", "tg-new", "--file", file);
        var shown = await Cli.JsonAsync("models", "show", "tg-new");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Saved model tg-new.", result.Output);
        Assert.Equal("premium", shown.GetProperty("tier").GetString());
        Assert.Equal("6", shown.GetProperty("price").GetProperty("output").GetString());
    }

    [Fact]
    public async Task ModelsPut_FromStandardInput_CreatesTheModel()
    {
        var result = await Cli.RunWithInputAsync(Definition, "models", "put", "tg-new", "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal("tg-new-sim", result.Json().GetProperty("backends")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task ModelsPut_NotJson_ExitsOneWithoutSending()
    {
        var result = await Cli.RunWithInputAsync("{ not json", "models", "put", "tg-new");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("not valid JSON", result.Error);
        Assert.Equal(ExitCodes.Refused, (await Cli.RunAsync("models", "show", "tg-new")).ExitCode);
    }

    [Fact]
    public async Task ModelsPut_InvalidDefinition_ExitsOneNamingTheField()
    {
        var result = await Cli.RunWithInputAsync("""{"kind": "chat", "backends": []}""", "models", "put", "tg-new");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("param: backends", result.Error);
    }

    [Fact]
    public async Task ModelsPrice_AddsANewVersionAndKeepsTheOld()
    {
        var result = await Cli.RunAsync("models", "price", "tg-mini", "--input", "0.2", "--output", "0.8", "--request-fee", "0.001");
        var model = await Cli.JsonAsync("models", "show", "tg-mini");

        var history = model.GetProperty("price_history").EnumerateArray().ToList();
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains($"Added price version {history[^1].GetProperty("version").GetInt64()} to model tg-mini.", result.Output);
        Assert.Equal(["0.15", "0.2"], history.Select(p => p.GetProperty("input").GetString()));
        Assert.Equal("0.001", model.GetProperty("price").GetProperty("request_fee").GetString());
    }

    [Fact]
    public async Task ModelsPrice_EffectiveInThePast_ExitsOne()
    {
        var result = await Cli.RunAsync("models", "price", "tg-mini", "--input", "0.2", "--effective-from", "2020-01-01");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("param: effective_from", result.Error);
    }

    [Fact]
    public async Task ModelsCost_AddsACostVersionToTheBackend()
    {
        var result = await Cli.RunAsync("models", "cost", "tg-mini-sim", "--input", "0.05", "--output", "0.2");
        var model = await Cli.JsonAsync("models", "show", "tg-mini");

        var cost = model.GetProperty("backends")[0].GetProperty("cost");
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains($"Added cost version {cost.GetProperty("version").GetInt64()} to backend tg-mini-sim of model tg-mini.", result.Output);
        Assert.Equal("0.05", cost.GetProperty("input").GetString());
    }

    [Fact]
    public async Task ModelsRetire_RemovesTheModelFromTheCatalog()
    {
        var result = await Cli.RunAsync("models", "retire", "tg-pro");
        var list = await Cli.JsonAsync("models", "list");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Retired model tg-pro.", result.Output);
        Assert.DoesNotContain(list.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "tg-pro");
    }
}
