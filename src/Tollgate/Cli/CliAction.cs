using Spectre.Console;

namespace Tollgate.Cli;

/// <summary>Runs a verb's work and turns a <see cref="CliFailure"/> into its message and exit code, for client and local verbs alike.</summary>
internal static class CliAction
{
    public static async Task<int> RunAsync(IAnsiConsole error, Func<Task> work)
    {
        try
        {
            await work();
            return ExitCodes.Ok;
        }
        catch (CliFailure failure)
        {
            CliOutput.Failure(error, failure);
            return failure.ExitCode;
        }
    }
}
