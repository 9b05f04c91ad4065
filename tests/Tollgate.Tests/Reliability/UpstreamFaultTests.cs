using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Budgets;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Reliability;

/// <summary>
/// Every upstream fault, plain and streaming, with and without a healthy second backend: the
/// client gets the fallback's answer, a 502/504 or a stream's <c>error</c> event; usage the backend
/// cannot vouch for is counted by the tokenizer; and no reservation outlives its request.
/// </summary>
public sealed class UpstreamFaultTests : TollgateTestBase
{
    private const string Model = "faulty";
    private StubUpstream _stub = null!;

    public override async Task InitializeAsync() => _stub = await StubUpstream.StartAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _stub.DisposeAsync();
    }

    public static TheoryData<string, bool, bool> Faults()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var fault in UpstreamFaults.All)
        {
            foreach (var stream in (bool[])[false, true])
            {
                data.Add(fault, stream, false);
                data.Add(fault, stream, true);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Fault_AnsweredBilledAndReleased(string fault, bool stream, bool withFallback)
    {
        var reply = UpstreamFaults.Reply(fault, stream);
        if (reply is not null) _stub.On("faulty", reply);
        _stub.On("healthy", stream ? Stub.Stream(Stub.Usage(12, 9)) : Stub.Completion(Stub.Usage(12, 9)));
        string[] backends = [reply is null ? StubUpstream.ClosedBaseUrl() : _stub.BaseUrl("faulty"), .. withFallback ? [_stub.BaseUrl("healthy")] : Array.Empty<string>()];
        // A short first-byte timeout only where the stall is the fault: elsewhere a loaded machine must not turn a 503 into a timeout.
        var faultyTimeout = fault == UpstreamFaults.SlowFirstByte ? 1 : 15;
        await App.PutUpstreamModelAsync(Model, backends, firstByteTimeouts: [faultyTimeout, 15]);
        using var client = App.ApiClient();
        var body = $$"""{"model":"{{Model}}","stream":{{(stream ? "true" : "false")}},"max_tokens":100,"messages":[{"role":"user","content":"Say something short"}]}""";

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();

        var untrusted = UpstreamFaults.UntrustedUsage.Contains(fault);
        var cutMidStream = stream && fault == UpstreamFaults.DisconnectMidBody;
        if (untrusted)
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            var usage = Assert.Single(await App.UsageAsync());
            Assert.Equal((BackendId(Model, 0), UsageStatus.Completed, UsageSource.Tokenizer), (usage.BackendId, usage.Status, usage.Source));
            Assert.InRange(usage.Tokens.OutputTokens, 1, 100);
            Assert.InRange(usage.Tokens.InputTokens, 1, 100);
            Assert.True(usage.ChargedAmount > 0);
            Assert.Empty(_stub.Received("healthy"));
        }
        else if (cutMidStream)
        {
            // Events reached the client: no fallback can take over. The stream ends with an error event and what was forwarded is billed.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var events = Sse.Parse(text);
            var error = events[^1];
            Assert.Equal("error", error.Event);
            using (var parsed = JsonDocument.Parse(error.Data)) Assert.True(parsed.RootElement.GetProperty("error").TryGetProperty("message", out _));
            var usage = Assert.Single(await App.UsageAsync());
            Assert.Equal(UsageSource.Tokenizer, usage.Source);
            Assert.True(usage.Tokens.OutputTokens > 0);
            Assert.Empty(_stub.Received("healthy"));
        }
        else if (withFallback)
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            var usage = Assert.Single(await App.UsageAsync());
            Assert.Equal((BackendId(Model, 1), UsageSource.Backend, 12L, 9L), (usage.BackendId, usage.Source, usage.Tokens.InputTokens, usage.Tokens.OutputTokens));
        }
        else
        {
            var timeout = fault == UpstreamFaults.SlowFirstByte;
            await AssertErrorAsync(response, timeout ? HttpStatusCode.GatewayTimeout : HttpStatusCode.BadGateway,
                timeout ? "upstream_timeout" : "upstream_unavailable", type: "server_error");
            Assert.Empty(await App.UsageAsync());
        }
        await AssertNoReservationLeftAsync();
        Assert.DoesNotContain(App.Logs.Lines, line => line.StartsWith("Critical ", StringComparison.Ordinal));
    }

    private async Task AssertNoReservationLeftAsync()
    {
        var accounts = App.Services.GetRequiredService<Accounts>();
        for (var i = 0; i < 100 && accounts.OpenReservations != 0; i++) await Task.Delay(50);
        Assert.Equal(0, accounts.OpenReservations);
    }
}
