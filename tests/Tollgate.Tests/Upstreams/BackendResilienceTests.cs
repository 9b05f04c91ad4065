using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>
/// Retries before the client's first byte (jittered backoff, the backend's retry-after) and the
/// per-backend circuit breaker with its half-open probe. One charge per served request, none for
/// a failed attempt.
/// </summary>
public sealed class BackendResilienceTests : IAsyncLifetime
{
    private const string Body = """{"model":"stub-chat","messages":[{"role":"user","content":"hi"}]}""";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TollgateFactory _app;
    private StubUpstream _stub = null!;

    public BackendResilienceTests()
    {
        _app = new TollgateFactory(_time);
        _app.Configuration["Upstreams:Resilience:BreakerMinimumThroughput"] = "3";
        _app.Configuration["Upstreams:Resilience:BreakerBreakSeconds"] = "20";
    }

    public async Task InitializeAsync()
    {
        _stub = await StubUpstream.StartAsync();
        await _app.PutUpstreamModelAsync("stub-chat", [_stub.BaseUrl("only")]);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _stub.DisposeAsync();
    }

    [Fact]
    public async Task PostChat_ServerErrorThenSuccess_RetriedOnSameBackendAndBilledOnce()
    {
        _stub.On("only", Sequence(Stub.Status(503), Stub.Completion(Stub.Usage(12, 9))));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(Body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _stub.Received("only").Count);
        var usage = Assert.Single(await _app.UsageAsync());
        Assert.Equal(12, usage.Tokens.InputTokens);
    }

    [Fact]
    public async Task PostChatStreaming_StreamDiesBeforeFirstEvent_RetriedAndStreamedOnce()
    {
        _stub.On("only", Sequence(Stub.StreamHeadersThenDisconnect(), Stub.Stream(Stub.Usage(12, 10))));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody("""{"model":"stub-chat","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var sse = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("data: [DONE]\n\n", sse);
        Assert.DoesNotContain("event: error", sse);
        Assert.Equal(2, _stub.Received("only").Count);
        Assert.Equal(10, Assert.Single(await _app.UsageAsync()).Tokens.OutputTokens);
    }

    [Fact]
    public async Task PostChat_BusyWithRetryAfter_WaitsThatLongThenSucceeds()
    {
        _stub.On("only", Sequence((http, _, _) =>
        {
            http.Response.Headers.RetryAfter = "1";
            return Stub.WriteJsonAsync(http, 503, """{"error":{"message":"busy","type":"server_error","param":null,"code":null}}""");
        }, Stub.Completion(Stub.Usage(12, 9))));
        using var client = _app.ApiClient();
        var watch = Stopwatch.StartNew();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(Body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {watch.Elapsed}");
        Assert.Equal(2, _stub.Received("only").Count);
    }

    [Fact]
    public async Task PostChat_BackendKeepsFailing_BreakerOpensStopsCallsThenHalfOpenProbeCloses()
    {
        _app.Configuration["Upstreams:Resilience:Retries"] = "0";
        _stub.On("only", Stub.Status(500));
        using var client = _app.ApiClient();

        for (var i = 0; i < 3; i++)
        {
            using var failed = await client.PostAsync("/v1/chat/completions", JsonBody(Body));
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }
        using var refused = await client.PostAsync("/v1/chat/completions", JsonBody(Body));
        var callsWhileOpen = _stub.Received("only").Count;
        _stub.On("only", Stub.Completion(Stub.Usage(12, 9)));
        _time.Advance(TimeSpan.FromSeconds(21));
        using var probe = await client.PostAsync("/v1/chat/completions", JsonBody(Body));
        using var after = await client.PostAsync("/v1/chat/completions", JsonBody(Body));

        var error = await AssertErrorAsync(refused, HttpStatusCode.BadGateway, "upstream_unavailable", type: "server_error");
        Assert.Contains("circuit open", error.GetProperty("message").GetString());
        Assert.Equal(3, callsWhileOpen);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, (await _app.UsageAsync()).Count);
    }

    /// <summary>Answers the first request with the first reply, the next with the next; the last repeats.</summary>
    private static StubReply Sequence(params StubReply[] replies)
    {
        var calls = -1;
        return (http, body, stopping) => replies[Math.Min(Interlocked.Increment(ref calls), replies.Length - 1)](http, body, stopping);
    }
}
