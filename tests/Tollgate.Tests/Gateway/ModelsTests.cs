using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenAI.Models;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway;

/// <summary><c>GET /v1/models</c> lists exactly what the key can call now; <c>GET /v1/models/{id}</c> answers as a call would.</summary>
public sealed class ModelsTests : TollgateTestBase
{
    private readonly FakeTimeProvider _time;

    public ModelsTests()
        : this(new FakeTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private ModelsTests(FakeTimeProvider time)
        : base(time) => _time = time;

    [Fact]
    public async Task GetModels_DemoKey_ListsEveryCallableModelButNotTheGatedOne()
    {
        OpenAIModelCollection models = await App.OpenAi().GetOpenAIModelClient().GetModelsAsync();

        Assert.Equal(["tg-embed", "tg-mini", "tg-pro"], models.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.All(models, m => Assert.Equal("tollgate-simulator", m.OwnedBy));
    }

    [Fact]
    public async Task GetModels_ScopedKey_ListsOnlyItsCallableModels()
    {
        var key = await App.CreateKeyAsync(models: ["tg-pro", "tg-flagship"]);

        OpenAIModelCollection models = await App.OpenAi(key.Secret).GetOpenAIModelClient().GetModelsAsync();

        Assert.Equal(["tg-pro"], models.Select(m => m.Id));
    }

    [Fact]
    public async Task GetModel_Callable_ReturnsTheModel()
    {
        OpenAIModel model = await App.OpenAi().GetOpenAIModelClient().GetModelAsync("tg-mini");

        Assert.Equal(("tg-mini", "tollgate-simulator"), (model.Id, model.OwnedBy));
        Assert.InRange(model.CreatedAt, _time.GetUtcNow().AddMinutes(-1), _time.GetUtcNow().AddMinutes(1));
    }

    [Fact]
    public async Task GetModel_Unknown_Returns404ModelNotFound()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => App.OpenAi().GetOpenAIModelClient().GetModelAsync("no-such-model"));

        AssertError(error, HttpStatusCode.NotFound, "model_not_found", "model");
    }

    [Fact]
    public async Task GetModels_PriceStartsLater_ListedAndCallableOnlyFromThen()
    {
        var model = JsonNode.Parse("""{"kind":"chat","backends":[{"id":"tg-later-sim","kind":"simulator"}],"price":{"input":"1","output":"2"}}""")!.AsObject();
        model["price"]!["effective_from"] = _time.GetUtcNow().AddHours(1);
        await App.PutModelAsync("tg-later", model);
        var client = App.OpenAi().GetOpenAIModelClient();
        using var http = App.ApiClient();

        OpenAIModelCollection before = await client.GetModelsAsync();
        using var callBefore = await http.PostAsync("/v1/chat/completions", JsonBody("""{"model":"tg-later","messages":[{"role":"user","content":"hi"}]}"""));
        _time.Advance(TimeSpan.FromHours(1));
        OpenAIModelCollection after = await client.GetModelsAsync();
        using var callAfter = await http.PostAsync("/v1/chat/completions", JsonBody("""{"model":"tg-later","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.DoesNotContain(before, m => m.Id == "tg-later");
        await AssertErrorAsync(callBefore, HttpStatusCode.NotFound, "model_not_found", "model");
        Assert.Contains(after, m => m.Id == "tg-later");
        Assert.Equal(HttpStatusCode.OK, callAfter.StatusCode);
    }

    [Fact]
    public async Task GetModels_RetiredModel_NoLongerListedOrCallable()
    {
        using (var admin = App.AdminClient())
        using (var retired = await admin.DeleteAsync("/admin/v1/models/tg-pro"))
        {
            Assert.True(retired.IsSuccessStatusCode, await retired.Content.ReadAsStringAsync());
        }
        using var http = App.ApiClient();

        OpenAIModelCollection models = await App.OpenAi().GetOpenAIModelClient().GetModelsAsync();
        using var call = await http.PostAsync("/v1/chat/completions", JsonBody("""{"model":"tg-pro","messages":[{"role":"user","content":"hi"}]}"""));
        using var get = await http.GetAsync("/v1/models/tg-pro");

        Assert.DoesNotContain(models, m => m.Id == "tg-pro");
        await AssertErrorAsync(call, HttpStatusCode.NotFound, "model_not_found", "model");
        await AssertErrorAsync(get, HttpStatusCode.NotFound, "model_not_found", "model");
    }
}
