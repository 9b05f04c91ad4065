using System.Net;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Admin;

public sealed class ModelEndpointsTests : IAsyncLifetime
{
    private const string Hello = """{"model":"sim","messages":[{"role":"user","content":"hi"}]}""";
    private const string SimModel = """
        {"kind":"chat","max_output_tokens":100,
         "backends":[{"id":"sim-1","kind":"simulator","cost":{"input":"0.5","output":"1"}}],
         "price":{"input":"1","output":"2"}}
        """;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TollgateFactory _app;

    public ModelEndpointsTests() => _app = new TollgateFactory(_time);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AddPrice_FutureEffectiveDate_AppliesOnlyFromThenAndOldUsageKeepsItsVersion()
    {
        using var admin = _app.AdminClient();
        var created = await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/sim", SimModel);
        var firstVersion = created["price"]!["version"]!.GetValue<long>();
        using var client = _app.ApiClient();
        await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));

        var effective = _time.GetUtcNow().AddHours(1);
        var repriced = await admin.PostJsonAsync("/admin/v1/models/sim/prices",
            $$"""{"input":"10","output":"20","effective_from":"{{effective:O}}"}""", HttpStatusCode.OK);
        await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));
        _time.Advance(TimeSpan.FromHours(1));
        await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));

        var usage = (await _app.UsageAsync()).OrderBy(u => u.CompletedAt).ToList();
        Assert.Equal(2, repriced["price_history"]!.AsArray().Count);
        Assert.Equal([firstVersion, firstVersion, firstVersion + 1], usage.Select(u => u.PriceVersion!.Value));
        var last = usage[^1];
        Assert.Equal(last.Tokens.InputTokens * 10m / 1_000_000m + last.Tokens.OutputTokens * 20m / 1_000_000m, last.ChargedAmount);
        Assert.Equal(last.Tokens.InputTokens * 0.5m / 1_000_000m + last.Tokens.OutputTokens * 1m / 1_000_000m, last.CostToServe);
    }

    [Fact]
    public async Task Retire_Model_DisappearsFromCatalogAndCallsAreNotFound()
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/sim", SimModel);

        await admin.SendAsync(HttpMethod.Delete, "/admin/v1/models/sim");
        using var client = _app.ApiClient();
        using var call = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));
        var list = await admin.GetJsonAsync("/admin/v1/models");

        await TollgateCalls.AssertErrorAsync(call, HttpStatusCode.NotFound, "model_not_found", "model");
        Assert.DoesNotContain(list.Data(), m => m!["id"]!.GetValue<string>() == "sim");
    }

    [Fact]
    public async Task Put_WithoutPrice_ModelIsNotServableNorListed()
    {
        using var admin = _app.AdminClient();

        var created = await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/unpriced",
            """{"kind":"chat","backends":[{"id":"unpriced-1","kind":"simulator"}]}""");
        using var client = _app.ApiClient();
        var models = await client.GetStringAsync("/v1/models");

        Assert.False(created["servable"]!.GetValue<bool>());
        Assert.DoesNotContain("unpriced", models);
    }

    [Theory]
    [InlineData("""{"kind":"poem","backends":[{"kind":"simulator"}]}""", "kind")]
    [InlineData("""{"tier":"gold","backends":[{"kind":"simulator"}]}""", "tier")]
    [InlineData("""{"backends":[]}""", "backends")]
    [InlineData("""{"backends":[{"kind":"open_ai"}]}""", "backends[0].base_url")]
    [InlineData("""{"backends":[{"kind":"simulator"}],"price":{"input":"-1"}}""", "price.input")]
    [InlineData("""{"backends":[{"kind":"simulator"}],"price":{"input":"0.0000001"}}""", "price.input")]
    [InlineData("""{"backends":[{"kind":"simulator","cost":{"input":"x"}}]}""", "backends[0].cost.input")]
    [InlineData("""{"tokenizer":"gpt9","backends":[{"kind":"simulator"}]}""", "tokenizer")]
    public async Task Put_InvalidField_Returns400NamingTheField(string body, string param)
    {
        using var admin = _app.AdminClient();

        using var response = await admin.RawAsync(HttpMethod.Put, "/admin/v1/models/bad", body);

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, param);
    }

    [Fact]
    public async Task AddPrice_EffectiveInThePast_IsRefused()
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/sim", SimModel);

        using var response = await admin.RawAsync(HttpMethod.Post, "/admin/v1/models/sim/prices",
            $$"""{"input":"1","effective_from":"{{_time.GetUtcNow().AddDays(-1):O}}"}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "effective_from");
    }
}
