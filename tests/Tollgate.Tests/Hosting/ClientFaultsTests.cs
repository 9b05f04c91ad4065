using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.Hosting;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Hosting;

/// <summary>A request body that arrives too slowly is the client's fault: answered 408 in the error shape, logged at information level.</summary>
public sealed class ClientFaultsTests
{
    [Fact]
    public async Task HandleAsync_BodyArrivesTooSlowly_408InErrorShapeLoggedAsClientFault()
    {
        var logs = new CapturedLogs();
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/v1/chat/completions";
        context.Response.Body = new MemoryStream();

        await ClientFaults.HandleAsync(context,
            _ => throw new BadHttpRequestException("Reading the request body timed out due to data arriving too slowly. See MinRequestBodyDataRate.", 408),
            logs.CreateLogger("test"));

        Assert.Equal(408, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        using (var document = JsonDocument.Parse(body))
        {
            var error = document.RootElement.GetProperty("error");
            Assert.Equal(("invalid_request_error", "request_timeout"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
        }
        var line = Assert.Single(logs.Lines);
        Assert.StartsWith("Information ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("unhandled", line, StringComparison.OrdinalIgnoreCase);
    }
}
