using System.Net;
using Microsoft.AspNetCore.Builder;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Webhooks;

namespace Tollgate.Tests.Webhooks;

/// <summary>Webhooks may not reach internal addresses, so whoever registers endpoints cannot scan the operator's network.</summary>
public sealed class WebhookTargetsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9000/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.16.0.1/hook")]
    [InlineData("http://172.31.255.255/hook")]
    [InlineData("http://192.168.1.1/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://2130706433/hook")]
    [InlineData("http://[::ffff:169.254.169.254]/hook")]
    [InlineData("http://metadata.google.internal/computeMetadata")]
    [InlineData("http://api.localhost/hook")]
    [InlineData("http://100.64.0.1/hook")]
    public async Task CreateEndpoint_InternalAddress_400NamingUrl(string url)
    {
        using var response = await RegisterAsync(url);

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "url");
    }

    [Theory]
    [InlineData("https://hooks.example.com/tollgate")]
    [InlineData("http://172.32.0.1/hook")]
    [InlineData("http://8.8.8.8/hook")]
    public async Task CreateEndpoint_PublicAddress_Accepted(string url)
    {
        using var response = await RegisterAsync(url);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Registers an endpoint on a server that allowlists nothing.</summary>
    private static async Task<HttpResponseMessage> RegisterAsync(string url)
    {
        await using var app = new TollgateFactory(demo: false) { AllowLoopbackWebhooks = false };
        using var admin = app.AdminClient();
        var response = await admin.RawAsync(HttpMethod.Post, "/admin/v1/webhook-endpoints", $$"""{"url":"{{url}}","events":["*"]}""");
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    [Fact]
    public async Task ConnectAsync_InternalAddressAtSendTime_Refused()
    {
        // Whatever registration saw (a name that resolved outward then, say), the connection itself is checked.
        var targets = new WebhookTargets([]);
        using var handler = new SocketsHttpHandler { ConnectCallback = targets.ConnectAsync };
        using var client = new HttpClient(handler);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://127.0.0.1:9/"));

        Assert.Contains("internal", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_AllowlistedInternalHost_Connects()
    {
        var (receiver, port) = await LoopbackServer.StartAsync(app => app.MapGet("/", () => Microsoft.AspNetCore.Http.Results.NoContent()));
        await using var _ = receiver;
        var targets = new WebhookTargets(["127.0.0.1"]);
        using var handler = new SocketsHttpHandler { ConnectCallback = targets.ConnectAsync };
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync($"http://127.0.0.1:{port}/");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("2606:4700:4700::1111", false)]
    public void IsInternal_Addresses_Classified(string address, bool expected) =>
        Assert.Equal(expected, WebhookTargets.IsInternal(IPAddress.Parse(address)));
}
