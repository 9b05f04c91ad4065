using System.Text.Json;
using Spectre.Console.Testing;
using Tollgate.Cli;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cli;

/// <summary>What one run of the command line printed, and how it exited.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public JsonElement Json() => JsonDocument.Parse(Output).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs <c>tollgate</c>'s real command line in-process: the test server's handler instead of
/// sockets, captured consoles instead of the terminal, and only the variables a test gives.
/// </summary>
internal sealed class CliHarness(HttpMessageHandler? handler, Dictionary<string, string> variables)
{
    public static CliHarness For(TollgateFactory app)
    {
        var harness = Token(TollgateFactory.AdminToken, app.Server.CreateHandler());
        harness.Variables["TOLLGATE_SERVER"] = "http://localhost";
        return harness;
    }

    /// <summary>A command line with an admin token in TOLLGATE_ADMIN_TOKEN, over <paramref name="handler"/> (null: real sockets).</summary>
    public static CliHarness Token(string token, HttpMessageHandler? handler) =>
        new(handler, new Dictionary<string, string> { ["TOLLGATE_ADMIN_TOKEN"] = token });

    public Dictionary<string, string> Variables { get; } = variables;

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync("", args);

    public async Task<CliResult> RunWithInputAsync(string input, params string[] args)
    {
        // Wide enough that no table wraps an id the test looks for.
        using var output = new TestConsole().Width(250);
        using var error = new TestConsole().Width(250);
        var environment = new CliEnvironment(output, error, new StringReader(input), name => Variables.GetValueOrDefault(name), handler);
        var exitCode = await Program.RunAsync(args, environment);
        return new CliResult(exitCode, output.Output, error.Output);
    }

    /// <summary>Runs a verb with <c>--json</c> and returns the document, failing the test with everything printed if it did not succeed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await RunAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        return result.Json();
    }
}
