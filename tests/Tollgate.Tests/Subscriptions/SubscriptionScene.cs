using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Subscriptions;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Subscriptions;

/// <summary>Tollgate on a fake clock with a big and a small simulator model, and a plan on them.</summary>
internal sealed class SubscriptionScene : IAsyncDisposable
{
    private SubscriptionScene(FakeTimeProvider time, TollgateFactory app)
    {
        Time = time;
        App = app;
        Admin = app.AdminClient();
    }

    public FakeTimeProvider Time { get; }
    public TollgateFactory App { get; }
    public HttpClient Admin { get; }

    public static async Task<SubscriptionScene> StartAsync(DateTimeOffset start)
    {
        var time = new FakeTimeProvider(start);
        var scene = new SubscriptionScene(time, new TollgateFactory(time, demo: false));
        foreach (var (model, input, output) in new[] { ("big", "10", "30"), ("small", "1", "2") })
        {
            await scene.Admin.SendAsync(HttpMethod.Put, $"/admin/v1/models/{model}", $$"""
                {"kind":"chat","max_output_tokens":200,"backends":[{"id":"{{model}}-sim","kind":"simulator"}],"price":{"input":"{{input}}","output":"{{output}}"} }
                """);
        }
        return scene;
    }

    /// <summary>A plan on both models: <paramref name="windows"/> is the JSON array of windows.</summary>
    public Task<JsonObject> PlanAsync(string id, string price, string windows, string overage = "block", string? downgrade = null, string weights = """{"big":3}""")
    {
        var downgradeField = downgrade is null ? "" : $",\"downgrade_model\":\"{downgrade}\"";
        return Admin.SendAsync(HttpMethod.Put, $"/admin/v1/plans/{id}", $$"""
            {"name":"Plan {{id}}","monthly_price":"{{price}}","models":["big","small"],"windows":{{windows}},
             "model_weights":{{weights}},"unit_size":1000,"overage":"{{overage}}"{{downgradeField}}}
            """);
    }

    /// <summary>A prepaid customer with <paramref name="credit"/> dollars, subscribed to the plan, and a key.</summary>
    public async Task<(string CustomerId, string Key)> SubscriberAsync(string planId, string credit = "100", int trialDays = 0)
    {
        var customer = await Admin.PostJsonAsync("/admin/v1/customers", """{"name":"Subscriber"}""");
        if (credit != "0") await Admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", $$"""{"amount":"{{credit}}"}""");
        await Admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/subscription", $$"""{"plan_id":"{{planId}}","trial_days":{{trialDays}}}""");
        var key = (await Admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        return (customer.Id(), key);
    }

    public async Task<HttpResponseMessage> ChatAsync(string key, string model = "big", int maxTokens = 20)
    {
        using var client = App.ApiClient(key);
        return await client.PostAsync("/v1/chat/completions",
            TollgateCalls.JsonBody($$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"hello there"}]}"""));
    }

    public Task<int> RenewAsync() => App.Services.GetRequiredService<SubscriptionLifecycle>().RenewDueAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.DisposeAsync();
    }
}
