using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Tests.Infrastructure;
using Tollgate.Upstreams;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>
/// A backend that never accepts the connection: after the configured connect timeout it is a failed
/// backend like any other — the next one serves, its circuit breaker counts the failures (and, at a
/// threshold of two calls, opens: the backend is then unhealthy), and with no other the client gets
/// 502 in the error shape; nothing is billed.
/// </summary>
public sealed class ConnectTimeoutTests : TollgateTestBase
{
    private const string Model = "stuck";
    private StubUpstream _stub = null!;
    private UnacceptingListener _stuck = null!;

    public ConnectTimeoutTests()
    {
        App.Configuration["Upstreams:ConnectTimeoutSeconds"] = "0.5";
        App.Configuration["Upstreams:Resilience:BreakerMinimumThroughput"] = "2";
    }

    public override async Task InitializeAsync()
    {
        _stub = await StubUpstream.StartAsync();
        _stuck = await UnacceptingListener.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _stub.DisposeAsync();
        _stuck.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_BackendNeverAccepts_FallsBackAndMarksItUnhealthy(bool stream)
    {
        _stub.On("healthy", stream ? Stub.Stream(Stub.Usage(12, 9)) : Stub.Completion(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [_stuck.BaseUrl, _stub.BaseUrl("healthy")]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(Request(stream)));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal(BackendId(Model, 1), usage.BackendId);
        Assert.False(App.Services.GetRequiredService<BackendHealth>().IsHealthy(BackendId(Model, 0)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_OnlyBackendNeverAccepts_502InErrorShapeWithinTheConnectTimeoutAndNothingBilled(bool stream)
    {
        await App.PutUpstreamModelAsync(Model, [_stuck.BaseUrl]);
        using var client = App.ApiClient();
        var started = Stopwatch.GetTimestamp();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(Request(stream)));

        await AssertErrorAsync(response, HttpStatusCode.BadGateway, "upstream_unavailable", type: "server_error");
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5), "the configured connect timeout (0.5 s) was not applied");
        Assert.Empty(await App.UsageAsync());
        Assert.False(App.Services.GetRequiredService<BackendHealth>().IsHealthy(BackendId(Model, 0)));
    }

    private static string Request(bool stream) =>
        $$"""{"model":"{{Model}}","stream":{{(stream ? "true" : "false")}},"max_tokens":50,"messages":[{"role":"user","content":"Say something short"}]}""";
}
