using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Infrastructure;
using Tollgate.Upstreams;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>
/// The circuit breaker alone decides a backend's health: once it opens, the backend is tried last
/// (not at all while another serves) until the break is over, then first again, as its probe.
/// </summary>
public sealed class BackendHealthTests : TollgateTestBase
{
    private const string Body = """{"model":"stub-chat","messages":[{"role":"user","content":"hi"}]}""";

    private readonly FakeTimeProvider _time;
    private StubUpstream _stub = null!;

    public BackendHealthTests()
        : this(new FakeTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private BackendHealthTests(FakeTimeProvider time)
        : base(time) => _time = time;

    public override async Task InitializeAsync()
    {
        // Each try is counted here: retries of the same backend are ResilienceTests' subject.
        App.Configuration["Upstreams:Resilience:Retries"] = "0";
        App.Configuration["Upstreams:Resilience:BreakerMinimumThroughput"] = "2";
        App.Configuration["Upstreams:Resilience:BreakerBreakSeconds"] = "20";
        _stub = await StubUpstream.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _stub.DisposeAsync();
    }

    [Fact]
    public async Task PostChat_FirstBackendFailedUntilBreakerOpened_SkippedDuringBreakThenTriedFirstAfterIt()
    {
        _stub.On("first", Stub.Status(503));
        _stub.On("second", Stub.Completion(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync("stub-chat", [_stub.BaseUrl("first"), _stub.BaseUrl("second")]);
        using var client = App.ApiClient();
        var health = App.Services.GetRequiredService<BackendHealth>();

        await PostOkAsync(client);
        var healthyAfterOneFailure = health.IsHealthy(BackendId("stub-chat", 0));
        await PostOkAsync(client);
        var healthyOnceOpened = health.IsHealthy(BackendId("stub-chat", 0));
        _time.Advance(TimeSpan.FromSeconds(19));
        await PostOkAsync(client);
        var triedDuringBreak = _stub.Received("first").Count;
        _stub.On("first", Stub.Completion(Stub.Usage(12, 9)));
        _time.Advance(TimeSpan.FromSeconds(1));
        await PostOkAsync(client);

        // One failure in a closed breaker is not yet ill health: the breaker's numbers decide.
        Assert.True(healthyAfterOneFailure);
        Assert.False(healthyOnceOpened);
        Assert.Equal(2, triedDuringBreak);
        Assert.Equal(3, _stub.Received("second").Count);
        Assert.Equal(3, _stub.Received("first").Count);
        Assert.True(health.IsHealthy(BackendId("stub-chat", 0)));
        Assert.Equal(BackendId("stub-chat", 0), (await App.UsageAsync()).OrderBy(u => u.StartedAt).Last().BackendId);
    }

    [Fact]
    public async Task PostChat_EveryBackendFailing_EachTriedOncePerRequestAndStillTriedWhenUnhealthy()
    {
        _stub.On("first", Stub.Status(500));
        _stub.On("second", Stub.Status(500));
        await App.PutUpstreamModelAsync("stub-chat", [_stub.BaseUrl("first"), _stub.BaseUrl("second")]);
        using var client = App.ApiClient();
        using (var failed = await client.PostAsync("/v1/chat/completions", JsonBody(Body)))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }
        var triedOnce = (_stub.Received("first").Count, _stub.Received("second").Count);
        _stub.On("second", Stub.Completion(Stub.Usage(12, 9)));

        await PostOkAsync(client);

        Assert.Equal((1, 1), triedOnce);
        Assert.Equal((2, 2), (_stub.Received("first").Count, _stub.Received("second").Count));
    }

    private static async Task PostOkAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(Body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
