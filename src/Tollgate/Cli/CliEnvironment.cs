using Spectre.Console;

namespace Tollgate.Cli;

/// <summary>
/// Everything the verbs touch outside the process's own code, so tests can run them in-process
/// against a test server with captured consoles.
/// </summary>
/// <param name="Out">Results: tables for people, the API's JSON for scripts.</param>
/// <param name="Error">Errors and warnings, kept off the results stream so pipes stay clean.</param>
/// <param name="In">Where <c>models put</c> reads a definition when no file is given.</param>
/// <param name="Variables">Environment variables (<c>TOLLGATE_SERVER</c>, <c>TOLLGATE_ADMIN_TOKEN</c>, <c>TOLLGATE_DATA_DIR</c>).</param>
/// <param name="Handler">The HTTP transport; null means real sockets.</param>
internal sealed record CliEnvironment(
    IAnsiConsole Out,
    IAnsiConsole Error,
    TextReader In,
    Func<string, string?> Variables,
    HttpMessageHandler? Handler = null)
{
    /// <summary>Output piped to a file or a pager is not wrapped to a guessed 80 columns: broken lines defeat grep.</summary>
    private const int PipedWidth = 240;

    public static CliEnvironment FromProcess()
    {
        var output = AnsiConsole.Console;
        var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsOutputRedirected) output.Profile.Width = PipedWidth;
        if (Console.IsErrorRedirected) error.Profile.Width = PipedWidth;
        return new CliEnvironment(output, error, Console.In, Environment.GetEnvironmentVariable);
    }

    public string? Variable(string name) => Variables(name) is { Length: > 0 } value ? value : null;
}
