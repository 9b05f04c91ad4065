using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Tollgate.Catalog;
using Tollgate.Gateway;

namespace Tollgate.Upstreams.OpenAiCompatible;

/// <summary>
/// Forwards to any server speaking OpenAI's wire format. Streams pass through event by event;
/// nothing is buffered whole. The upstream key is read from the named environment variable
/// at call time, so rotating it needs no restart and it is never stored; only a variable declared
/// as an upstream credential, and only to a host it is bound to (<see cref="UpstreamCredentials"/>).
/// </summary>
internal partial class OpenAiBackend(UpstreamHttp http, UpstreamCredentials credentials, ILogger<OpenAiBackend> logger) : IModelBackend
{
    private const int MaxNonStreamBodyBytes = 64 * 1024 * 1024;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public virtual BackendKind Kind => BackendKind.OpenAi;

    /// <summary>The path under the backend's base URL for this operation.</summary>
    protected virtual string PathFor(ModelOperation operation) => operation == ModelOperation.Embeddings ? "embeddings" : "chat/completions";

    /// <summary>The body sent upstream: OpenAI's request as rewritten by the gateway.</summary>
    protected virtual ReadOnlyMemory<byte> UpstreamBody(BackendRequest request) => request.Body;

    /// <summary>Headers of the upstream call: the key as a bearer token.</summary>
    protected virtual void AddHeaders(HttpRequestMessage message, string? apiKey)
    {
        if (apiKey is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>A 200's whole body as the gateway's answer (OpenAI's chat completion or embeddings list), or why it is not one.</summary>
    protected virtual BackendResponse Answer(byte[] body, ModelOperation operation) =>
        // A 200 must hold the answer: some servers send {"error":…} with it, which is nothing to bill for.
        SafeJson.IsObjectWith(body, operation == ModelOperation.Embeddings ? "data"u8 : "choices"u8)
            ? new BackendJson(body)
            : new BackendFailure(BackendFailureKind.Malformed, "response body is not an answer (a JSON object with its choices or data)");

    /// <summary>The upstream's stream events as OpenAI's chat chunks.</summary>
    protected virtual IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(IAsyncEnumerable<ReadOnlyMemory<byte>> events) => events;

    /// <summary>A 4xx or 5xx answer: a 4xx is the client's to see (no fallback), anything else falls through.</summary>
    protected virtual BackendFailure Failure(int status, byte[] body, string? contentType, TimeSpan? retryAfter)
    {
        if (status is >= 400 and < 500)
            return new BackendFailure(BackendFailureKind.ClientError, $"backend answered {status}", status, body, contentType);
        if (status >= 500)
            return new BackendFailure(BackendFailureKind.ServerError, $"backend answered {status}", status, retryAfter: retryAfter);
        return new BackendFailure(BackendFailureKind.Malformed, $"backend answered {status} with {contentType ?? "no content type"} instead of an event stream", status);
    }

    public virtual async Task<BackendResponse> SendAsync(BackendRequest request, CancellationToken cancellationToken)
    {
        var settings = request.Backend.Settings;
        if (string.IsNullOrEmpty(settings.BaseUrl))
            return new BackendFailure(BackendFailureKind.Unreachable, "backend has no base_url");
        var path = PathFor(request.Operation);
        string? apiKey = null;
        if (settings.ApiKeyEnv is { } env)
        {
            // Checked again at every send: a credential whose declaration or binding no longer covers this URL is never attached.
            if (credentials.Refusal(env, settings.BaseUrl) is { } refusal)
            {
                LogCredentialRefused(logger, request.Backend.Id, refusal.Field);
                return new BackendFailure(BackendFailureKind.Unreachable, $"backend's credential may not be sent to it ({refusal.Field})");
            }
            apiKey = credentials.For(env, settings.BaseUrl);
        }
        using var message = new HttpRequestMessage(HttpMethod.Post, $"{settings.BaseUrl.TrimEnd('/')}/{path}")
        {
            Content = new ReadOnlyMemoryContent(UpstreamBody(request)) { Headers = { ContentType = Json } },
        };
        AddHeaders(message, apiKey);
        if (request.Stream) message.Headers.Accept.ParseAdd("text/event-stream");

        // One timer for the whole call; until the headers arrive it is the (shorter) first-byte limit.
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.FirstByteTimeoutSeconds));
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        HttpResponseMessage response;
        try
        {
            response = await http.Client.SendAsync(message, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Dispose(linked, timeout);
            return new BackendFailure(BackendFailureKind.Timeout, $"no response within {settings.FirstByteTimeoutSeconds}s");
        }
        catch (HttpRequestException ex)
        {
            Dispose(linked, timeout);
            return new BackendFailure(BackendFailureKind.Unreachable, ex.HttpRequestError.ToString());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Cancelled by neither the client nor the first-byte limit: the connect timeout, whose backend was never reached.
            Dispose(linked, timeout);
            return new BackendFailure(BackendFailureKind.Unreachable, $"could not connect within {http.ConnectTimeout.TotalSeconds:0.###}s");
        }
        catch
        {
            Dispose(linked, timeout);
            throw;
        }
        var total = TimeSpan.FromSeconds(Math.Max(settings.TotalTimeoutSeconds, settings.FirstByteTimeoutSeconds));
        // A stream's headers (and keep-alive comments) are not its first byte: the first event is.
        if (!request.Stream) timeout.CancelAfter(total);

        var status = (int)response.StatusCode;
        if (status >= 400 || (request.Stream && !IsEventStream(response)))
        {
            var failure = await ReadFailureAsync(response, status, linked.Token).ConfigureAwait(false);
            response.Dispose();
            Dispose(linked, timeout);
            return failure;
        }
        if (!request.Stream)
        {
            try
            {
                var body = await ReadBoundedAsync(response, linked.Token).ConfigureAwait(false);
                return Answer(body, request.Operation);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return new BackendFailure(timeout.IsCancellationRequested ? BackendFailureKind.Timeout : BackendFailureKind.Unreachable, "body cut off");
            }
            finally
            {
                response.Dispose();
                Dispose(linked, timeout);
            }
        }
        var owner = new StreamOwner(response, linked, timeout);
        return new BackendStream(Chunks(ReadEventsAsync(response, timeout, total, linked.Token, cancellationToken)), owner);
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadEventsAsync(
        HttpResponseMessage response, CancellationTokenSource timeout, TimeSpan total, CancellationToken linked,
        [EnumeratorCancellation] CancellationToken clientGone = default)
    {
        Stream body;
        try
        {
            body = await response.Content.ReadAsStreamAsync(linked).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !clientGone.IsCancellationRequested)
        {
            throw new BackendStreamException("the backend stream could not be read", ex, timedOut: timeout.IsCancellationRequested);
        }
        var parser = SseParser.Create(body, static (_, data) => data.ToArray());
        await using var items = parser.EnumerateAsync(linked).GetAsyncEnumerator(linked);
        var first = true;
        while (true)
        {
            bool more;
            try
            {
                more = await items.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !clientGone.IsCancellationRequested)
            {
                LogStreamBroken(logger, timeout.IsCancellationRequested ? "timeout" : ex.GetType().Name);
                throw new BackendStreamException(timeout.IsCancellationRequested ? "the backend stream timed out" : "the backend stream broke off", ex,
                    timedOut: timeout.IsCancellationRequested);
            }
            if (!more) yield break;
            if (items.Current.EventType == "error") throw new BackendStreamException("the backend sent an error event");
            var data = items.Current.Data;
            if (data.AsSpan().SequenceEqual("[DONE]"u8)) yield break;
            if (data.Length == 0) continue;
            if (first)
            {
                // The first event arrived within the first-byte limit; from here the whole call's limit applies.
                timeout.CancelAfter(total);
                first = false;
            }
            yield return data;
        }
    }

    private async Task<BackendFailure> ReadFailureAsync(HttpResponseMessage response, int status, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            body = [];
        }
        return Failure(status, body, response.Content.Headers.ContentType?.ToString(), RetryAfter(response));
    }

    /// <summary>The upstream's <c>retry-after</c>, in seconds or as a date; null when absent.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date && response.Headers.Date is { } now) return date - now;
        return null;
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxNonStreamBodyBytes)
            throw new IOException("backend response too large");
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream(response.Content.Headers.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxNonStreamBodyBytes) throw new IOException("backend response too large");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static bool IsEventStream(HttpResponseMessage response) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    private static void Dispose(CancellationTokenSource linked, CancellationTokenSource timeout)
    {
        linked.Dispose();
        timeout.Dispose();
    }

    private sealed class StreamOwner(HttpResponseMessage response, CancellationTokenSource linked, CancellationTokenSource timeout) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            response.Dispose();
            Dispose(linked, timeout);
            return ValueTask.CompletedTask;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Backend {BackendId} was not called: its credential may not be sent to it ({Field} not allowed by Upstreams:Credentials)")]
    private static partial void LogCredentialRefused(ILogger logger, string backendId, string field);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend stream broke off ({Cause})")]
    private static partial void LogStreamBroken(ILogger logger, string cause);
}
