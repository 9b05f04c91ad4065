using System.Net;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>The built-in simulator: the demo's backend, which must take what any client may send.</summary>
public sealed class SimulatorBackendTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Fields the gateway does not check are forwarded as sent; the simulator reads them without throwing.</summary>
    [Theory]
    [InlineData(""","seed":"abc" """)]
    [InlineData(""","seed":1.5""")]
    [InlineData(""","stop":{"not":"a list"}""")]
    public async Task PostChat_UncheckedFieldOfOddType_ServedAndMetered(string field)
    {
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            JsonBody($$"""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]{{field}}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Assert.Single(await _app.UsageAsync()).Tokens.OutputTokens > 0);
    }
}
