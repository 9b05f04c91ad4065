using System.Net;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Infrastructure;
using Tollgate.Upstreams;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>A backend that just failed is tried last for a cool-down, then first again.</summary>
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
        _stub = await StubUpstream.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _stub.DisposeAsync();
    }

    [Fact]
    public async Task PostChat_FirstBackendFailed_SkippedDuringCoolDownThenTriedFirstAgain()
    {
        _stub.On("first", Stub.Status(503));
        _stub.On("second", Stub.Completion(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync("stub-chat", [_stub.BaseUrl("first"), _stub.BaseUrl("second")]);
        using var client = App.ApiClient();

        await PostOkAsync(client);
        await PostOkAsync(client);
        _time.Advance(BackendHealth.CoolDown - TimeSpan.FromSeconds(1));
        await PostOkAsync(client);
        var triedDuringCoolDown = _stub.Received("first").Count;
        _stub.On("first", Stub.Completion(Stub.Usage(12, 9)));
        _time.Advance(TimeSpan.FromSeconds(1));
        await PostOkAsync(client);

        Assert.Equal(1, triedDuringCoolDown);
        Assert.Equal(3, _stub.Received("second").Count);
        Assert.Equal(2, _stub.Received("first").Count);
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
