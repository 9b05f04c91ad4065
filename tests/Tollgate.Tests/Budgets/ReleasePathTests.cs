using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Budgets;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Budgets;

/// <summary>Every way a request can end gives its reservation back: none is left open.</summary>
public sealed class ReleasePathTests : IAsyncLifetime
{
    private const string Body = """{"model":"up","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}""";
    private const string StreamBody = """{"model":"up","stream":true,"max_tokens":50,"messages":[{"role":"user","content":"hi"}]}""";
    private readonly TollgateFactory _app = new();
    private StubUpstream _stub = null!;

    public async Task InitializeAsync() => _stub = await StubUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        await _stub.DisposeAsync();
        await _app.DisposeAsync();
    }

    private long Open => _app.Services.GetRequiredService<Accounts>().OpenReservations;

    [Fact]
    public async Task BackendFailsEverywhere_ReservationReleased()
    {
        _stub.On("a", Stub.Status(500));
        await _app.PutUpstreamModelAsync("up", [_stub.BaseUrl("a"), StubUpstream.ClosedBaseUrl()]);
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, Open);
    }

    [Fact]
    public async Task BackendTimesOut_ReservationReleased()
    {
        _stub.On("a", Stub.Stall());
        await _app.PutUpstreamModelAsync("up", [_stub.BaseUrl("a")]);
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(0, Open);
    }

    [Fact]
    public async Task BackendClientError_ReservationReleasedAndNothingCharged()
    {
        _stub.On("a", Stub.ClientError(400));
        await _app.PutUpstreamModelAsync("up", [_stub.BaseUrl("a")]);
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Open);
        Assert.Empty(await _app.UsageAsync());
    }

    [Fact]
    public async Task MalformedBackendAnswer_ReservationReleased()
    {
        _stub.On("a", Stub.Malformed());
        await _app.PutUpstreamModelAsync("up", [_stub.BaseUrl("a")]);
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, Open);
    }

    [Fact]
    public async Task ClientDisconnectsMidStream_ReservationSettledForWhatWasForwarded()
    {
        _stub.On("a", Stub.StreamThenStall(3));
        await _app.PutUpstreamModelAsync("up", [_stub.BaseUrl("a")]);
        using var client = _app.ApiClient();
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = TollgateCalls.JsonBody(StreamBody) };

        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token))
        {
            var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            var buffer = new byte[256];
            _ = await stream.ReadAsync(buffer, cancel.Token);
            await cancel.CancelAsync();
        }

        var usage = await _app.SingleUsageEventuallyAsync();
        Assert.True(usage.Tokens.OutputTokens > 0);
        for (var i = 0; i < 100 && Open != 0; i++) await Task.Delay(50);
        Assert.Equal(0, Open);
    }

    [Fact]
    public async Task BackendBreaksMidStream_ReservationSettled()
    {
        var cut = new TaskCompletionSource();
        _stub.On("a", Stub.StreamThenDisconnect(3, cut.Task));
        await _app.PutUpstreamModelAsync("up", [_stub.BaseUrl("a")]);
        using var client = _app.ApiClient();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = TollgateCalls.JsonBody(StreamBody) };
        // The 200 comes once the first event is in, so the cut falls mid-stream, not before it.
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        cut.SetResult();
        var sse = await response.Content.ReadAsStringAsync();

        Assert.Contains("event: error", sse);
        Assert.Equal(0, Open);
    }
}
