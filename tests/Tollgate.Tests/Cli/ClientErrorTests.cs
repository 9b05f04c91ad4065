using System.Net;
using System.Net.Sockets;
using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

/// <summary>How the client verbs fail: each way says what to do and exits with the code scripts branch on.</summary>
public sealed class ClientErrorTests : CliTestBase
{

    [Fact]
    public async Task AnyVerb_WithoutToken_ExitsThreeAndSaysHowToGiveOne()
    {
        Cli.Variables.Remove("TOLLGATE_ADMIN_TOKEN");

        var result = await Cli.RunAsync("customers", "list");

        Assert.Equal(ExitCodes.Unauthorized, result.ExitCode);
        Assert.Contains("No admin token", result.Error);
        Assert.Contains("Set TOLLGATE_ADMIN_TOKEN or pass --token.", result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task AnyVerb_WithWrongToken_ExitsThreeAndSaysTheTokenWasRefused()
    {
        var result = await Cli.RunAsync("customers", "list", "--token", "not-the-token");

        Assert.Equal(ExitCodes.Unauthorized, result.ExitCode);
        Assert.Contains("did not accept the admin token", result.Error);
        Assert.Contains("Set TOLLGATE_ADMIN_TOKEN or pass --token.", result.Error);
    }

    [Fact]
    public async Task AnyVerb_ServerDown_ExitsFourNamingTheUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var cli = CliHarness.Token("any", handler: null);

        var result = await cli.RunAsync("customers", "list", "--server", $"http://127.0.0.1:{port}");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains($"Cannot reach Tollgate at http://127.0.0.1:{port}/", result.Error);
        Assert.Contains("Is 'tollgate serve' running there?", result.Error);
    }

    [Fact]
    public async Task AnyVerb_ServerNotAUrl_ExitsTwo()
    {
        var result = await Cli.RunAsync("customers", "list", "--server", "localhost:8080");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("is not an http(s) URL", result.Error);
    }

    [Fact]
    public async Task AnyVerb_ServerError_ExitsTwoWithTheServersMessage()
    {
        var stub = new StubHandler(HttpStatusCode.InternalServerError,
            """{"error":{"message":"The database is on fire.","type":"server_error","param":null,"code":"internal_error"}}""");
        var cli = CliHarness.Token("any", stub);

        var result = await cli.RunAsync("customers", "list");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("The server failed (500): The database is on fire.", result.Error);
    }

    [Fact]
    public async Task AnyVerb_AnswerNotInTheErrorShape_ExitsTwoWithTheStatus()
    {
        var stub = new StubHandler(HttpStatusCode.BadGateway, "<html>Bad Gateway</html>", "text/html");
        var cli = CliHarness.Token("any", stub);

        var result = await cli.RunAsync("models", "list");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("502", result.Error);
    }

    [Fact]
    public async Task PostingVerb_WithIdempotencyKeyAndPathPrefix_SendsBothWhereExpected()
    {
        var stub = new StubHandler(HttpStatusCode.OK, """{"id":"cus_1","name":"A","billing_mode":"prepaid","created_at":"2026-01-01T00:00:00Z"}""");
        var cli = CliHarness.Token("secret-token", stub);
        cli.Variables["TOLLGATE_SERVER"] = "https://ops.example/tollgate";

        var result = await cli.RunAsync("customers", "create", "--name", "A", "--idempotency-key", "retry-1");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("https://ops.example/tollgate/admin/v1/customers", request.RequestUri!.ToString());
        Assert.Equal("retry-1", Assert.Single(request.Headers.GetValues("Idempotency-Key")));
        Assert.Equal("Bearer secret-token", request.Headers.Authorization!.ToString());
    }

    [Fact]
    public async Task UnknownVerb_IsAUsageErrorWithExitTwo()
    {
        var result = await Cli.RunAsync("customers", "delete", "cus_1");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("delete", result.Error);
    }

    [Fact]
    public async Task Help_ListsVerbsAndExitCodes()
    {
        var result = await Cli.RunAsync("--help");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Exit codes: 0 success", result.Output);
        foreach (var verb in new[] { "serve", "customers", "keys", "models", "usage", "tokens", "audit", "backup" })
            Assert.Contains(verb, result.Output);
    }
}
