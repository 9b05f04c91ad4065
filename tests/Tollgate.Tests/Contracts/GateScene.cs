using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenAI.Chat;
using Tollgate.Gates;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Contracts;

/// <summary>
/// Tollgate on a fake clock with an open model <c>open</c> at a flat $0.25 a request (so spend is
/// exact), a second open model <c>other</c> at $1.00 a request, and a gated model <c>flag</c>.
/// </summary>
internal sealed class GateScene : IAsyncDisposable
{
    public const string Gated = "flag";

    private GateScene(FakeTimeProvider time, TollgateFactory app)
    {
        Time = time;
        App = app;
        Admin = app.AdminClient();
    }

    public FakeTimeProvider Time { get; }
    public TollgateFactory App { get; }
    public HttpClient Admin { get; }

    public static async Task<GateScene> StartAsync(DateTimeOffset? start = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var time = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 10, 5, 12, 0, 0, TimeSpan.Zero));
        var app = new TollgateFactory(time, demo: false);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) app.Configuration[key] = value;
        var scene = new GateScene(time, app);
        foreach (var (model, tier, fee) in new[] { ("open", "standard", "0.25"), ("other", "standard", "1.00"), (Gated, "gated", "0.50") })
        {
            await scene.Admin.SendAsync(HttpMethod.Put, $"/admin/v1/models/{model}", $$"""
                {"kind":"chat","tier":"{{tier}}","max_output_tokens":50,"backends":[{"id":"{{model}}-sim","kind":"simulator"}],
                 "price":{"input":"0","output":"0","request_fee":"{{fee}}"} }
                """);
        }
        return scene;
    }

    public async Task<(string CustomerId, string Key)> CustomerAsync(string billingMode = "postpaid")
    {
        var customer = await Admin.PostJsonAsync("/admin/v1/customers", $$"""{"name":"Acme","billing_mode":"{{billingMode}}"}""");
        var key = (await Admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        return (customer.Id(), key);
    }

    public Task<JsonObject> ContractAsync(string customerId, string extra = "", TimeSpan? term = null) =>
        Admin.PostJsonAsync("/admin/v1/contracts", $$"""
            {"customer_id":"{{customerId}}","ends_at":"{{Time.GetUtcNow().Add(term ?? TimeSpan.FromDays(365)):O}}","monthly_commitment":"100",
             "entitled_models":["{{Gated}}"]{{extra}}}
            """);

    /// <summary>A chat call through the official SDK; null when served, else the HTTP status and the error body.</summary>
    public async Task<(int Status, string Body)?> CallAsync(string key, string model = Gated)
    {
        try
        {
            await App.OpenAi(key).GetChatClient(model).CompleteChatAsync([new UserChatMessage("hello")], new ChatCompletionOptions { MaxOutputTokenCount = 5 });
            return null;
        }
        catch (ClientResultException ex)
        {
            return (ex.Status, ex.GetRawResponse()?.Content.ToString() ?? "");
        }
    }

    public async Task<IReadOnlyList<string>> ListedModelsAsync(string key)
    {
        var models = await App.OpenAi(key).GetOpenAIModelClient().GetModelsAsync();
        return [.. models.Value.Select(m => m.Id)];
    }

    public async Task<JsonObject> GatedStandingAsync(string key)
    {
        using var client = App.ApiClient(key);
        using var response = await client.GetAsync("/v1/account");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var account = (await response.ReadJsonAsync())!;
        return account["gated_models"]!.AsArray().Single(g => g!["model"]!.GetValue<string>() == Gated)!.AsObject();
    }

    /// <summary>What the once-a-minute refresh does: re-reads spend and paid totals from storage.</summary>
    public Task RefreshSpendAsync() => App.Services.GetRequiredService<GateSpendRefresher>().RefreshAsync();

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.DisposeAsync();
    }
}
