using System.CommandLine;
using Tollgate.Cli;
using Tollgate.Hosting;

namespace Tollgate;

/// <summary>
/// <c>tollgate</c>: one executable. <c>serve</c> runs the gateway and admin API; the other verbs
/// are clients of the admin API, so every change passes one validation, authorization and audit.
/// </summary>
internal sealed class Program
{
    private Program()
    {
    }

    public static Task<int> Main(string[] args) => RunAsync(args, CliEnvironment.FromProcess());

    /// <summary>The whole command line against a given environment: the tests run verbs in-process through it.</summary>
    internal static async Task<int> RunAsync(string[] args, CliEnvironment environment)
    {
        var root = new RootCommand(
            "Tollgate: sell access to language models through an OpenAI-compatible gateway with exact metering and billing." +
            Environment.NewLine + ExitCodes.Help);
        root.Subcommands.Add(ServeCommand.Create());
        CliCommands.AddTo(root, environment);
        var parsed = root.Parse(args);
        // The web host handles SIGTERM itself (drain in-flight requests, flush usage): the parser must not cut it short.
        var exitCode = await parsed.InvokeAsync(new InvocationConfiguration
        {
            ProcessTerminationTimeout = null,
            Output = environment.Out.Profile.Out.Writer,
            Error = environment.Error.Profile.Out.Writer,
        });
        // System.CommandLine answers a usage error with 1, which here means "the server refused the request".
        return parsed.Errors.Count > 0 ? ExitCodes.Failed : exitCode;
    }
}
