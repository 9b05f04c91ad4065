using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Security;

/// <summary>Valid requests that look odd are served and billed like any other.</summary>
public sealed class UnusualInputTests : TollgateTestBase
{
    private StubUpstream _stub = null!;

    public override async Task InitializeAsync() => _stub = await StubUpstream.StartAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _stub.DisposeAsync();
    }

    [Fact]
    public async Task PostChat_UnknownFields_ServedAndForwardedUntouched()
    {
        _stub.On("a", Stub.Completion(Stub.Usage(10, 5)));
        await App.PutUpstreamModelAsync("up", [_stub.BaseUrl("a")]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(
            """{"model":"up","messages":[{"role":"user","content":"hi","x_note":{"a":[1,2]}}],"x_vendor":{"deep":{"er":true}},"metadata":{"k":"v"},"seed":-1}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(_stub.Received("a")).Body;
        Assert.Equal("""{"deep":{"er":true}}""", sent["x_vendor"]!.ToJsonString());
        Assert.Equal("""{"a":[1,2]}""", sent["messages"]![0]!["x_note"]!.ToJsonString());
        Assert.Equal(-1, sent["seed"]!.GetValue<int>());
        Assert.Single(await App.UsageAsync());
    }

    [Fact]
    public async Task PostChat_TenThousandShortMessages_ServedAndBilledForAllOfThem()
    {
        var messages = new JsonArray([.. Enumerable.Range(0, 10_000).Select(i => (JsonNode)new JsonObject { ["role"] = i % 2 == 0 ? "user" : "assistant", ["content"] = "ok" })]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(new JsonObject { ["model"] = "tg-mini", ["max_tokens"] = 5, ["messages"] = messages }.ToJsonString()));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var usage = Assert.Single(await App.UsageAsync());
        Assert.True(usage.Tokens.InputTokens >= 10_000, $"{usage.Tokens.InputTokens} input tokens for 10,000 messages");
        Assert.True(usage.ChargedAmount > 0);
    }

    /// <summary>Text as JSON escapes or raw characters: joiners, combining marks, right-to-left, astral planes, NUL, BOM, escaped pairs.</summary>
    public static TheoryData<string, string> UnicodeContents => new()
    {
        { "emoji with joiners", "\"👩‍👩‍👧‍👦🏳️‍🌈\"" },
        { "combining marks", "\"e\u0301\u0302\u0303 Z\u0351\u0352\u0353\u0354\u0355\"" },
        { "right to left", "\"שלום \u202Eevil\u202C مرحبا\"" },
        { "astral plane", "\"𝄞𐍈𠜎\"" },
        { "escaped NUL", "\"a\\u0000b\"" },
        { "byte order mark inside", "\"\uFEFFhi\"" },
        { "escaped pair", "\"\\ud83d\\ude00\"" },
        { "zero-width and no-break spaces", "\"\u200B\u200C\u200D\u2060\u00A0\"" },
        { "content parts", "[{\"type\":\"text\",\"text\":\"\u00e9\\u00e9\"}]" },
    };

    [Theory]
    [MemberData(nameof(UnicodeContents))]
    public async Task PostChat_UnicodeEdgeCases_ServedAndBilled(string label, string contentJson)
    {
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(
            $$"""{"model":"tg-mini","max_tokens":8,"messages":[{"role":"user","content":{{contentJson}}}]}""", Encoding.UTF8, "application/json"));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{label}: {await response.Content.ReadAsStringAsync()}");
        Assert.True(Assert.Single(await App.UsageAsync()).ChargedAmount > 0);
    }

    [Fact]
    public async Task PostChat_ModelNameWrittenWithEscapes_ResolvesToThatModel()
    {
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody("""{"model":"tg-\u006dini","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tg-mini", Assert.Single(await App.UsageAsync()).ModelId);
    }

    [Theory]
    [InlineData("Robert'); DROP TABLE customers;--")]
    [InlineData("\" OR \"\"=\"")]
    [InlineData("../../etc/passwd")]
    [InlineData("Ωmega Café 株式会社 👩‍💻")]
    [InlineData("<script>alert(1)</script>")]
    public async Task CreateCustomer_OddButValidName_StoredVerbatimAndTablesIntact(string name)
    {
        using var admin = App.AdminClient();

        var created = await admin.PostJsonAsync("/admin/v1/customers", new JsonObject { ["name"] = name }.ToJsonString());
        var read = await admin.GetJsonAsync($"/admin/v1/customers/{created.Id()}");
        var list = await admin.GetJsonAsync("/admin/v1/customers?limit=100");

        Assert.Equal(name, read["name"]!.GetValue<string>());
        Assert.True(list.Data().Count >= 2, "the demo customer and the new one are both still there");
        using var api = App.ApiClient();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/v1/models")).StatusCode);
    }

    [Fact]
    public async Task PostChat_OutputCapNull_UsesTheModelsMaximum()
    {
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody("""{"model":"tg-mini","max_tokens":null,"max_completion_tokens":null,"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(UsageStatus.Completed, Assert.Single(await App.UsageAsync()).Status);
    }
}
