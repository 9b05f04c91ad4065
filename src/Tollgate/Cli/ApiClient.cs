using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tollgate.Cli;

/// <summary>
/// The CLI's only HTTP code: calls the admin API with the admin token and turns every way a call
/// can fail (no token, wrong token, server down, a refused request) into a <see cref="CliFailure"/>
/// with the exit code scripts branch on.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    public const string DefaultServer = "http://127.0.0.1:8080";
    private const string TokenHint = "Set TOLLGATE_ADMIN_TOKEN or pass --token.";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient _http;
    private readonly Uri _api;
    private readonly string? _idempotencyKey;

    /// <param name="server">Where Tollgate listens, e.g. http://127.0.0.1:8080.</param>
    /// <param name="token">An admin token; checked before any request so a missing one is named as such.</param>
    /// <param name="handler">A transport to use instead of sockets (tests); not disposed here.</param>
    /// <param name="idempotencyKey">Sent on POST so a retried command runs once.</param>
    public ApiClient(string server, string? token, HttpMessageHandler? handler = null, string? idempotencyKey = null)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliFailure(ExitCodes.Failed, $"'{server}' is not an http(s) URL.", hint: "Pass --server like http://127.0.0.1:8080 or set TOLLGATE_SERVER.");
        if (string.IsNullOrWhiteSpace(token))
            throw new CliFailure(ExitCodes.Unauthorized, "No admin token was given.", hint: TokenHint);
        Server = uri;
        // A trailing slash keeps a path prefix (a reverse proxy's /tollgate/) when the API path is appended.
        _api = new Uri(uri.AbsoluteUri.TrimEnd('/') + "/admin/v1/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        _idempotencyKey = idempotencyKey;
    }

    public Uri Server { get; }

    public Task<ApiResponse> GetAsync(string path, Query? query, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path + query, null, cancellationToken);

    public Task<ApiResponse> SendAsync<T>(HttpMethod method, string path, T body, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(method, path, JsonSerializer.Serialize(body, type), cancellationToken);

    /// <summary>Sends <paramref name="json"/> as is to <paramref name="path"/>, relative to <c>/admin/v1/</c> with ids already escaped.</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_api, path));
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (method == HttpMethod.Post && _idempotencyKey is not null) request.Headers.Add("Idempotency-Key", _idempotencyKey);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(Reason(ex));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable($"no answer within {Timeout.TotalSeconds:0} seconds");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode ? new ApiResponse(text) : throw Refusal(response.StatusCode, text);
        }
    }

    public void Dispose() => _http.Dispose();

    private CliFailure Unreachable(string reason) => new(ExitCodes.Unreachable, $"Cannot reach Tollgate at {Server}: {reason}.",
        hint: "Is 'tollgate serve' running there? Pass --server or set TOLLGATE_SERVER to where it listens.");

    private static string Reason(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException socket => socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "unknown host",
            SocketError.TimedOut => "connection timed out",
            _ => socket.Message,
        },
        { } inner => inner.Message,
        null => ex.Message,
    };

    /// <summary>The API's error document, read into the exit code that says who must act: the caller (1, 3) or the server (2).</summary>
    private CliFailure Refusal(HttpStatusCode status, string body)
    {
        var (message, param, code) = ReadError(body);
        message ??= $"The server answered {(int)status} {status}.";
        return status switch
        {
            HttpStatusCode.Unauthorized => new CliFailure(ExitCodes.Unauthorized,
                $"The server at {Server} did not accept the admin token: it is wrong, revoked, or not an admin token.", hint: TokenHint),
            HttpStatusCode.Forbidden => new CliFailure(ExitCodes.Unauthorized, message,
                hint: code == "insufficient_scope" ? "Use an admin token with the scope this action needs (see 'tollgate tokens create --scope')." : null),
            >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError => new CliFailure(ExitCodes.Refused, message, param),
            _ => new CliFailure(ExitCodes.Failed, $"The server failed ({(int)status}): {message}", param),
        };
    }

    private static (string? Message, string? Param, string? Code) ReadError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
                return default;
            return (Text(error, "message"), Text(error, "param"), Text(error, "code"));
        }
        catch (JsonException)
        {
            return default; // not Tollgate's error shape (a proxy's page): the status says enough
        }
    }

    private static string? Text(JsonElement error, string name) =>
        error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
