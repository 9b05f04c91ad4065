using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Tests.Infrastructure;
using Tollgate.Upstreams;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>Routing policies pick the first backend; the others stay fallbacks.</summary>
public sealed class RoutingPolicyTests : TollgateTestBase
{
    private StubUpstream _stub = null!;

    public override async Task InitializeAsync()
    {
        // Each try is counted here: retries of the same backend are ResilienceTests' subject.
        App.Configuration["Upstreams:Resilience:Retries"] = "0";
        _stub = await StubUpstream.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _stub.DisposeAsync();
    }

    /// <summary>Model <c>routed</c>: "dear" listed first and dearer to serve than "cheap".</summary>
    private Task PutModelAsync(string routing) => App.PutModelAsync("routed", new JsonObject
    {
        ["kind"] = "chat",
        ["max_output_tokens"] = 256,
        ["routing"] = routing,
        ["price"] = new JsonObject { ["input"] = "10", ["output"] = "20" },
        ["backends"] = new JsonArray(
            Backend("dear", new JsonObject { ["input"] = "5", ["output"] = "5" }),
            Backend("cheap", new JsonObject { ["kind"] = "hardware", ["hourly_cost"] = "1", ["rated_tokens_per_hour"] = 10_000_000 })),
    });

    private JsonObject Backend(string id, JsonObject cost) => new()
    {
        ["id"] = id,
        ["kind"] = "open_ai",
        ["base_url"] = _stub.BaseUrl(id),
        ["upstream_model"] = "up-model",
        ["first_byte_timeout_seconds"] = 15,
        ["cost"] = cost,
    };

    private async Task<string?> ChatAsync()
    {
        using var client = App.ApiClient();
        using var response = await client.PostAsync("/v1/chat/completions",
            JsonBody("""{"model":"routed","max_tokens":20,"messages":[{"role":"user","content":"hello"}]}"""));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await App.UsageAsync()).OrderByDescending(u => u.CompletedAt).First().BackendId;
    }

    [Fact]
    public async Task Cost_CheapestHealthyBackend_ServesAndFallsBackWhenItFails()
    {
        _stub.On("dear", Stub.Completion(Stub.Usage(5, 5)));
        _stub.On("cheap", Stub.Completion(Stub.Usage(5, 5)));
        await PutModelAsync("cost");

        Assert.Equal("cheap", await ChatAsync());

        _stub.On("cheap", UpstreamFaults.Reply(UpstreamFaults.Status500, stream: false)!);
        Assert.Equal("dear", await ChatAsync());
        Assert.Single(_stub.Received("dear"));
        Assert.Equal(2, _stub.Received("cheap").Count);
    }

    [Fact]
    public async Task Priority_ListedOrder_FirstBackendServes()
    {
        _stub.On("dear", Stub.Completion(Stub.Usage(5, 5)));
        _stub.On("cheap", Stub.Completion(Stub.Usage(5, 5)));
        await PutModelAsync("priority");

        Assert.Equal("dear", await ChatAsync());
    }

    [Fact]
    public async Task Latency_FasterBackend_ServesFirst()
    {
        _stub.On("dear", Stub.Completion(Stub.Usage(5, 5)));
        _stub.On("cheap", Stub.Completion(Stub.Usage(5, 5)));
        await PutModelAsync("latency");
        var health = App.Services.GetRequiredService<BackendHealth>();
        health.RecordLatency("dear", TimeSpan.FromMilliseconds(900));
        health.RecordLatency("cheap", TimeSpan.FromMilliseconds(40));

        Assert.Equal("cheap", await ChatAsync());
        var model = await App.AdminClient().GetStringAsync("/admin/v1/models/routed");
        Assert.Contains("\"routing\":\"latency\"", model, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutModel_UnknownRouting_400NamingIt()
    {
        using var admin = App.AdminClient();
        using var response = await admin.PutAsync("/admin/v1/models/routed",
            JsonBody("""{"routing":"fastest","backends":[{"kind":"simulator"}],"price":{"input":"1"}}"""));

        await AssertErrorAsync(response, System.Net.HttpStatusCode.BadRequest, null, "routing");
    }
}
