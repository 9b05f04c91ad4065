using Microsoft.Extensions.Options;

namespace Tollgate.Upstreams;

/// <summary>
/// The environment variables the operator declared as upstream credentials (configuration
/// <c>Upstreams:Credentials:&lt;VARIABLE&gt;:Hosts</c>), each with the hosts it may be sent to.
/// A backend may name only these in <c>api_key_env</c>; nothing else in the environment is ever read.
/// </summary>
internal sealed record UpstreamOptions
{
    public const string Section = "Upstreams";

    public Dictionary<string, UpstreamCredentialOptions> Credentials { get; init; } = new(StringComparer.Ordinal);
}

internal sealed record UpstreamCredentialOptions
{
    /// <summary>Host names or addresses (no scheme, port or path; IPv6 without brackets) the credential may be sent to, compared without regard to case.</summary>
    public string[] Hosts { get; init; } = [];
}

/// <summary>Decides whether a backend may carry a credential to its URL: when it is configured, and again before every send.</summary>
internal sealed class UpstreamCredentials(IOptions<UpstreamOptions> options)
{
    /// <summary>Tollgate's own settings and secrets live under this prefix: never an upstream credential, even if declared.</summary>
    public const string ReservedPrefix = "TOLLGATE_";

    /// <summary>Why <paramref name="variable"/> may not be sent to <paramref name="baseUrl"/>, naming the field at fault; null when it may.</summary>
    public (string Message, string Field)? Refusal(string variable, string? baseUrl)
    {
        if (IsReserved(variable))
            return ($"'api_key_env' may not name a {ReservedPrefix}* variable: those are Tollgate's own settings and secrets.", "api_key_env");
        if (!options.Value.Credentials.TryGetValue(variable, out var credential))
            return ($"'api_key_env' names '{variable}', which is not declared as an upstream credential (configuration Upstreams:Credentials:{variable}:Hosts).",
                "api_key_env");
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || !credential.Hosts.Contains(uri.IdnHost.Trim('[', ']'), StringComparer.OrdinalIgnoreCase))
            return ($"'base_url' is on a host the credential '{variable}' may not be sent to (allowed: {string.Join(", ", credential.Hosts)}).", "base_url");
        return null;
    }

    /// <summary>The credential to send with a request to <paramref name="baseUrl"/>, read now; null when none may be sent.</summary>
    public string? For(string variable, string? baseUrl) =>
        Refusal(variable, baseUrl) is null && Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;

    public static bool IsReserved(string variable) => variable.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase);
}

internal sealed class UpstreamOptionsValidator : IValidateOptions<UpstreamOptions>
{
    public ValidateOptionsResult Validate(string? name, UpstreamOptions options)
    {
        List<string> failures = [];
        foreach (var (variable, credential) in options.Credentials)
        {
            var key = $"{UpstreamOptions.Section}:Credentials:{variable}";
            if (variable.Length == 0 || !(char.IsAsciiLetter(variable[0]) || variable[0] == '_') || !variable.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                failures.Add($"{key}: an environment variable name is letters, digits and '_', not starting with a digit.");
            else if (UpstreamCredentials.IsReserved(variable))
                failures.Add($"{key}: {UpstreamCredentials.ReservedPrefix}* variables are Tollgate's own and cannot be upstream credentials.");
            if (credential.Hosts.Length == 0)
                failures.Add($"{key}:Hosts must list at least one host the credential may be sent to.");
            foreach (var host in credential.Hosts.Where(h => Uri.CheckHostName(h) == UriHostNameType.Unknown))
                failures.Add($"{key}:Hosts: '{host}' is not a host name or address (no scheme, port or path).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
