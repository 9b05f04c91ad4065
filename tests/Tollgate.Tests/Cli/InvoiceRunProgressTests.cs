using System.Net;
using System.Text;
using Spectre.Console.Testing;
using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

/// <summary><c>invoices run</c> following a long run, against a server whose answers the test scripts one by one.</summary>
public sealed class InvoiceRunProgressTests
{
    private const string Started = """
        {"id":"run_1","period":"2026-10","finalize":true,"customer_id":null,"status":"running","customers":3,"done":0,"created":0,"refreshed":0,
         "finalized":0,"already_finalized":0,"failed":0,"error":null,"started_at":"2026-11-01T00:00:00Z","completed_at":null}
        """;

    private const string Halfway = """
        {"id":"run_1","period":"2026-10","finalize":true,"customer_id":null,"status":"running","customers":3,"done":2,"created":0,"refreshed":0,
         "finalized":2,"already_finalized":0,"failed":0,"error":null,"started_at":"2026-11-01T00:00:00Z","completed_at":null}
        """;

    private const string FailedOne = """
        {"id":"run_1","period":"2026-10","finalize":true,"customer_id":null,"status":"failed","customers":3,"done":3,"created":0,"refreshed":0,
         "finalized":2,"already_finalized":0,"failed":1,"error":null,"started_at":"2026-11-01T00:00:00Z","completed_at":"2026-11-01T00:00:09Z"}
        """;

    [Fact]
    public async Task InvoicesRun_PolledUntilCompleteWithAFailure_PrintsProgressLinesAndExitsFive()
    {
        var server = new ScriptedHandler((HttpStatusCode.Accepted, Started), (HttpStatusCode.OK, Halfway), (HttpStatusCode.OK, FailedOne));

        var result = await CliHarness.Token("t", server).RunAsync("invoices", "run", "--period", "2026-10", "--finalize");

        Assert.Equal(ExitCodes.RunFailed, result.ExitCode);
        Assert.Equal(["POST /admin/v1/invoice-runs", "GET /admin/v1/invoice-runs/run_1", "GET /admin/v1/invoice-runs/run_1"], server.Requests);
        Assert.Contains("Finalizing 2026-10 (run_1): 0 of 3 customers", result.Output);
        Assert.Contains("Finalizing 2026-10 (run_1): 2 of 3 customers", result.Output);
        Assert.Contains("Finalizing 2026-10 (run_1): 3 of 3 customers", result.Output);
        Assert.Contains("failed", result.Output);
        Assert.Contains("1 of 3 customers not invoiced", result.Error);
        Assert.Contains("Run the same command again", result.Error);
    }

    [Fact]
    public async Task InvoicesRun_InteractiveTerminal_DrawsTheBarAsTheRunMoves()
    {
        var server = new ScriptedHandler((HttpStatusCode.Accepted, Started), (HttpStatusCode.OK, Halfway),
            (HttpStatusCode.OK, FailedOne.Replace("\"failed\",", "\"succeeded\",", StringComparison.Ordinal).Replace("\"failed\":1", "\"failed\":0", StringComparison.Ordinal)));
        using var output = new TestConsole().Width(120).Interactive().EmitAnsiSequences();
        using var error = new TestConsole();
        var environment = new CliEnvironment(output, error, TextReader.Null, name => name == "TOLLGATE_ADMIN_TOKEN" ? "t" : null, server);

        var exitCode = await Program.RunAsync(["invoices", "run", "--period", "2026-10", "--finalize"], environment);

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("Finalizing 2026-10", output.Output);
        Assert.Contains("66%", output.Output);
        Assert.Contains("100%", output.Output);
    }

    [Fact]
    public async Task InvoicesRun_ServerForgetsTheRun_ExitsFiveSayingToRunAgain()
    {
        var server = new ScriptedHandler((HttpStatusCode.Accepted, Started),
            (HttpStatusCode.NotFound, """{"error":{"message":"No such invoice run: 'run_1'.","type":"invalid_request_error","param":null,"code":"not_found"}}"""));

        var result = await CliHarness.Token("t", server).RunAsync("invoices", "run", "--period", "2026-10", "--finalize", "--json");

        Assert.Equal(ExitCodes.RunFailed, result.ExitCode);
        Assert.Contains("no longer knows run run_1", result.Error);
        Assert.Equal("", result.Output);
    }

    /// <summary>Answers requests in order with the given responses, and records each request's method and path.</summary>
    private sealed class ScriptedHandler(params (HttpStatusCode Status, string Body)[] answers) : HttpMessageHandler
    {
        private int _next;

        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            var (status, body) = answers[Math.Min(_next++, answers.Length - 1)];
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
