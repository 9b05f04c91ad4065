using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>
/// An upstream credential is an environment variable the operator declared for upstream use, sent
/// only to the hosts it is bound to; pointing a backend elsewhere or at another credential needs <c>full</c>.
/// </summary>
public sealed class UpstreamCredentialsTests : TollgateTestBase
{
    private const string Secret = "secret-that-must-stay-home";
    private const string ChatBody = """{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}""";

    // Unique per test: the process's environment is shared by tests running in parallel.
    private readonly string _declared = "UPSTREAM_TEST_KEY_" + Guid.NewGuid().ToString("N");
    private readonly string _reserved = "TOLLGATE_TEST_SECRET_" + Guid.NewGuid().ToString("N");
    private StubUpstream _stub = null!;

    public UpstreamCredentialsTests()
    {
        App.Configuration[$"Upstreams:Credentials:{_declared}:Hosts:0"] = "api.example.com";
    }

    public override async Task InitializeAsync()
    {
        _stub = await StubUpstream.StartAsync();
        _stub.On("leak", Stub.Completion(Stub.Usage(3, 3)));
        Environment.SetEnvironmentVariable(_declared, Secret);
        Environment.SetEnvironmentVariable(_reserved, Secret);
    }

    public override async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_declared, null);
        Environment.SetEnvironmentVariable(_reserved, null);
        await base.DisposeAsync();
        await _stub.DisposeAsync();
    }

    /// <summary>tg-mini with a first backend at the listener carrying <paramref name="variable"/>, the simulator behind it.</summary>
    private string Redirect(string variable, string? baseUrl = null) => new JsonObject
    {
        ["price"] = new JsonObject { ["input"] = "0.15", ["output"] = "0.6" },
        ["backends"] = new JsonArray(
            new JsonObject { ["kind"] = "open_ai", ["base_url"] = baseUrl ?? _stub.BaseUrl("leak"), ["api_key_env"] = variable },
            new JsonObject { ["kind"] = "simulator" }),
    }.ToJsonString();

    [Fact]
    public async Task PutModel_BillingTokenRedirectsBackendWithASecret_Returns403AndNothingIsSent()
    {
        using var full = App.AdminClient();
        using var billing = App.AdminClient(await full.CreateTokenAsync("billing"));

        using var put = await billing.PutAsync("/admin/v1/models/tg-mini", JsonBody(Redirect(_reserved)));
        using var client = App.ApiClient();
        using var call = await client.PostAsync("/v1/chat/completions", JsonBody(ChatBody));

        await AssertErrorAsync(put, HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Empty(_stub.Received("leak"));
    }

    [Fact]
    public async Task PutModel_BillingTokenChangesOnlyThePrice_IsAllowed()
    {
        using var full = App.AdminClient();
        using var billing = App.AdminClient(await full.CreateTokenAsync("billing"));
        var model = await full.GetJsonAsync("/admin/v1/models/tg-mini");
        var backend = model["backends"]![0]!;
        var body = new JsonObject
        {
            ["price"] = new JsonObject { ["input"] = "0.2", ["output"] = "0.8" },
            ["backends"] = new JsonArray(new JsonObject { ["id"] = backend["id"]!.GetValue<string>(), ["kind"] = backend["kind"]!.GetValue<string>() }),
        };

        using var put = await billing.PutAsync("/admin/v1/models/tg-mini", JsonBody(body.ToJsonString()));

        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PutModel_FullTokenUndeclaredVariable_Returns400NamingApiKeyEnv()
    {
        using var full = App.AdminClient();

        using var put = await full.PutAsync("/admin/v1/models/tg-mini", JsonBody(Redirect("HOME")));

        await AssertErrorAsync(put, HttpStatusCode.BadRequest, null, "backends[0].api_key_env");
    }

    [Theory]
    [InlineData("TOLLGATE_ADMIN_TOKEN")]
    [InlineData("TOLLGATE_KEY_PEPPER")]
    [InlineData("tollgate_admin_token")]
    public async Task PutModel_FullTokenTollgateVariable_Returns400NamingApiKeyEnv(string variable)
    {
        using var full = App.AdminClient();

        using var put = await full.PutAsync("/admin/v1/models/tg-mini", JsonBody(Redirect(variable)));

        await AssertErrorAsync(put, HttpStatusCode.BadRequest, null, "backends[0].api_key_env");
    }

    [Fact]
    public async Task PutModel_DeclaredVariableToAHostItIsNotBoundTo_Returns400NamingBaseUrl()
    {
        using var full = App.AdminClient();

        using var put = await full.PutAsync("/admin/v1/models/tg-mini", JsonBody(Redirect(_declared)));

        await AssertErrorAsync(put, HttpStatusCode.BadRequest, null, "backends[0].base_url");
    }

    [Fact]
    public async Task PutModel_DeclaredVariableToItsBoundHost_IsAccepted()
    {
        using var full = App.AdminClient();

        using var put = await full.PutAsync("/admin/v1/models/tg-mini", JsonBody(Redirect(_declared, "https://api.example.com/v1")));

        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    /// <summary>A backend stored before the rules (or whose binding the operator since removed) never carries the credential.</summary>
    [Fact]
    public async Task PostChat_StoredBackendWithUnboundCredential_SendsNothingThereAndFallsBack()
    {
        var definition = new ModelDefinition("tg-mini", ModelKind.Chat, ModelTier.Standard, "o200k_base", 256, "tollgate",
        [
            new BackendDefinition("tg-mini-leak", BackendKind.OpenAi, new BackendSettings { BaseUrl = _stub.BaseUrl("leak"), ApiKeyEnv = _declared }),
            new BackendDefinition("tg-mini-sim", BackendKind.Simulator, new BackendSettings()),
        ]);
        await App.Services.GetRequiredService<IModelStore>().SaveAsync(definition,
            new AuditEntry("test", "model.update", "model", "tg-mini", null, null, App.Time.GetUtcNow()));
        await App.Services.GetRequiredService<CatalogRefresher>().ReloadAsync();
        using var client = App.ApiClient();

        using var call = await client.PostAsync("/v1/chat/completions", JsonBody(ChatBody));

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Empty(_stub.Received("leak"));
        Assert.Contains("tg-mini-leak was not called", App.Logs.All, StringComparison.Ordinal);
    }
}
