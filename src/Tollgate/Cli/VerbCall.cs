using System.CommandLine;
using System.Text.Json.Serialization.Metadata;

namespace Tollgate.Cli;

/// <summary>One run of a client verb: its parsed options, the API client and the output, so a verb reads as "ask, then show".</summary>
internal sealed class VerbCall(ParseResult parse, ApiClient api, CliOutput output, CliEnvironment environment, CancellationToken cancellationToken)
{
    public CliOutput Output { get; } = output;

    public CliEnvironment Environment { get; } = environment;

    /// <summary>Cancelled by Ctrl+C: for a verb that waits between requests.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The server's base address, for links the server answers with as paths.</summary>
    public Uri Server => api.Server;

    public T? Get<T>(Option<T> option) => parse.GetValue(option);

    /// <summary>An option marked <c>Required</c>: the parser has already refused the command without it.</summary>
    public T Require<T>(Option<T> option) => parse.GetRequiredValue(option);

    public T Get<T>(Argument<T> argument) => parse.GetRequiredValue(argument);

    public Task<ApiResponse> GetAsync(string path, Query? query = null) => api.GetAsync(path, query, CancellationToken);

    public Task<ApiResponse> SendAsync<T>(HttpMethod method, string path, T body, JsonTypeInfo<T> type) =>
        api.SendAsync(method, path, body, type, CancellationToken);

    public Task<ApiResponse> SendAsync(HttpMethod method, string path, string? json = null) => api.SendAsync(method, path, json, CancellationToken);

    /// <summary>An API path from segments, each escaped: ids come from the command line.</summary>
    public static string Path(params string[] segments) => string.Join('/', segments.Select(Uri.EscapeDataString));
}
