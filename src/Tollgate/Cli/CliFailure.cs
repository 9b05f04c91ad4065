namespace Tollgate.Cli;

/// <summary>
/// A failure the CLI explains to the person and turns into an exit code, instead of a stack trace.
/// Thrown by the API client and by local checks; rendered in one place.
/// </summary>
internal sealed class CliFailure(int exitCode, string message, string? param = null, string? hint = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The request field the server named as wrong, if any.</summary>
    public string? Param { get; } = param;

    /// <summary>What to do about it.</summary>
    public string? Hint { get; } = hint;

    public static CliFailure Invalid(string message, string? hint = null) => new(ExitCodes.Refused, message, null, hint);
}
