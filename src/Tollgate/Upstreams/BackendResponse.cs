namespace Tollgate.Upstreams;

/// <summary>What a backend answered, before anything reached the client.</summary>
internal abstract class BackendResponse : IAsyncDisposable
{
    public ValueTask DisposeAsync() => ReleaseAsync();

    /// <summary>Frees what the response holds open (a connection, for a stream).</summary>
    protected virtual ValueTask ReleaseAsync() => ValueTask.CompletedTask;
}

/// <summary>A whole JSON body (non-streaming success).</summary>
internal sealed class BackendJson(byte[] body) : BackendResponse
{
    public byte[] Body { get; } = body;
}

/// <summary>
/// A stream of SSE <c>data</c> payloads, without the closing <c>[DONE]</c>. Enumeration throws
/// <see cref="BackendStreamException"/> when the backend fails mid-stream.
/// </summary>
internal sealed class BackendStream(IAsyncEnumerable<ReadOnlyMemory<byte>> events, IAsyncDisposable? owner = null) : BackendResponse
{
    public IAsyncEnumerable<ReadOnlyMemory<byte>> Events { get; } = events;

    protected override ValueTask ReleaseAsync() => owner?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>The backend refused or failed before the first byte reached the client.</summary>
internal sealed class BackendFailure(
    BackendFailureKind kind, string reason, int? statusCode = null, byte[]? body = null, string? contentType = null, TimeSpan? retryAfter = null) : BackendResponse
{
    /// <summary>A refusal for a client error, in OpenAI's error shape, from a backend that answers itself.</summary>
    public static BackendFailure Invalid(string message, string? param = null) =>
        new(BackendFailureKind.ClientError, "request refused by the backend", StatusCodes.Status400BadRequest,
            Gateway.ApiErrorWriter.ToJson(Gateway.ApiError.InvalidRequest(message, param)), "application/json");

    public BackendFailureKind Kind { get; } = kind;

    /// <summary>For logs and the operator: never holds prompt or completion text.</summary>
    public string Reason { get; } = reason;

    public int? StatusCode { get; } = statusCode;

    public byte[]? Body { get; } = body;

    public string? ContentType { get; } = contentType;

    /// <summary>For <see cref="BackendFailureKind.Busy"/> and a 5xx: when the backend expects room again (its <c>retry-after</c>).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Only a client error (4xx) is final: everything else falls through to the next backend.</summary>
    public bool FallsThrough => Kind != BackendFailureKind.ClientError;
}

internal enum BackendFailureKind
{
    Unreachable,
    Timeout,
    ServerError,
    Malformed,
    ClientError,

    /// <summary>The backend is healthy but its queue is full: not a fault, so its health is untouched.</summary>
    Busy,
}

/// <summary>A backend failed after its stream had started.</summary>
internal sealed class BackendStreamException(string message, Exception? inner = null, bool timedOut = false) : Exception(message, inner)
{
    /// <summary>The backend went quiet past its time limit, rather than breaking off.</summary>
    public bool TimedOut { get; } = timedOut;
}
