using System.Net;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>The built-in simulator: the demo's backend, which must take what any client may send.</summary>
public sealed class SimulatorBackendTests : TollgateTestBase
{
    /// <summary>Fields the gateway does not check are forwarded as sent; the simulator reads them without throwing.</summary>
    [Theory]
    [InlineData(""","seed":"abc" """)]
    [InlineData(""","seed":1.5""")]
    [InlineData(""","stop":{"not":"a list"}""")]
    public async Task PostChat_UncheckedFieldOfOddType_ServedAndMetered(string field)
    {
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            JsonBody($$"""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]{{field}}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Assert.Single(await App.UsageAsync()).Tokens.OutputTokens > 0);
    }
}
