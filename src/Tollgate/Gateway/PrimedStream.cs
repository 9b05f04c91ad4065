using System.Text.Json;
using Tollgate.Upstreams;

namespace Tollgate.Gateway;

/// <summary>A backend stream whose first event has already been read (or that ended or broke before one).</summary>
internal sealed class PrimedStream
{
    private PrimedStream(IAsyncEnumerator<ReadOnlyMemory<byte>> events, bool hasFirst, BackendFailure? failure)
    {
        Events = events;
        HasCurrent = hasFirst;
        Failure = failure;
    }

    public IAsyncEnumerator<ReadOnlyMemory<byte>> Events { get; }

    /// <summary>True when <see cref="Events"/>.Current holds the first event, not yet forwarded.</summary>
    public bool HasCurrent { get; }

    /// <summary>Why the stream gave no first event; nothing reached the client, so the next backend may serve.</summary>
    public BackendFailure? Failure { get; }

    public static async Task<PrimedStream> StartAsync(BackendStream stream, CancellationToken cancellationToken)
    {
        var events = stream.Events.GetAsyncEnumerator(cancellationToken);
        try
        {
            if (!await events.MoveNextAsync())
                return await FailAsync(events, new BackendFailure(BackendFailureKind.ServerError, "the backend stream ended before its first event"));
            // Nothing has reached the client yet, so a garbled or error first event can still fall through to the next backend.
            return IsChunk(events.Current)
                ? new PrimedStream(events, true, null)
                : await FailAsync(events, new BackendFailure(BackendFailureKind.Malformed, "the backend stream's first event is not a completion chunk"));
        }
        catch (BackendStreamException ex)
        {
            return await FailAsync(events, new BackendFailure(ex.TimedOut ? BackendFailureKind.Timeout : BackendFailureKind.ServerError, ex.Message));
        }
    }

    /// <summary>
    /// A stream event that is a completion chunk: a JSON object, and not the <c>{"error":…}</c> that
    /// OpenAI-compatible servers send in place of a chunk when they fail mid-stream.
    /// </summary>
    public static bool IsChunk(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && !(root.TryGetProperty("error", out _) && !root.TryGetProperty("choices", out _));

    private static bool IsChunk(ReadOnlyMemory<byte> data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            return IsChunk(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A stream that could not be started at all: nothing reached the client.</summary>
    public static PrimedStream Failed(BackendFailure why) => new(EmptyEvents.Instance, false, why);

    private sealed class EmptyEvents : IAsyncEnumerator<ReadOnlyMemory<byte>>
    {
        public static readonly EmptyEvents Instance = new();

        public ReadOnlyMemory<byte> Current => default;

        public ValueTask<bool> MoveNextAsync() => ValueTask.FromResult(false);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static async Task<PrimedStream> FailAsync(IAsyncEnumerator<ReadOnlyMemory<byte>> events, BackendFailure why)
    {
        await events.DisposeAsync();
        return new PrimedStream(events, false, why);
    }
}
