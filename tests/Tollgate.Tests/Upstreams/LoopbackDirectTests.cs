using System.Net;
using Tollgate.Upstreams.OpenAiCompatible;

namespace Tollgate.Tests.Upstreams;

/// <summary>Upstream calls follow the environment's proxy, except to loopback.</summary>
public sealed class LoopbackDirectTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9000/v1", true)]
    [InlineData("http://localhost:9000/v1", true)]
    [InlineData("http://[::1]:9000/v1", true)]
    [InlineData("https://api.example.com/v1", false)]
    public void IsBypassed_ProxyConfigured_OnlyLoopbackGoesDirect(string url, bool direct)
    {
        var proxy = new LoopbackDirect(new WebProxy("http://proxy.example.com:3128"));

        Assert.Equal(direct, proxy.IsBypassed(new Uri(url)));
        Assert.Equal(direct ? null : new Uri("http://proxy.example.com:3128/"), proxy.GetProxy(new Uri(url)));
    }
}
