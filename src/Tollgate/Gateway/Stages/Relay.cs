using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Tollgate.Billing.Pricing;
using Tollgate.Storage;

namespace Tollgate.Gateway.Stages;

/// <summary>
/// Forwards a stream event by event, never buffering it, while keeping what metering needs: the
/// backend's usage chunk and the text forwarded. The usage chunk and <c>[DONE]</c> are the
/// stream's tail: they are sent only after the usage is durable. A stream the backend breaks
/// ends with an SSE <c>error</c> event; what was forwarded is billed either way.
/// </summary>
internal sealed partial class Relay(Meter meter, Settle settle, ILogger<Relay> logger)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public async Task RunAsync(GatewayRequest request, PrimedStream stream)
    {
        var http = request.Http;
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var output = response.BodyWriter;
        request.ForwardedText = new StringBuilder();
        TokenUsage? reported = null;
        string? streamId = null;
        long created = 0;
        byte[]? usageChunk = null;
        var events = stream.Events;
        var hasEvent = stream.HasCurrent;
        // Another wire format translates each chunk into its own events; its tail, like chat's, waits for settle.
        var translator = request.Surface?.OpenStream(request);
        try
        {
            while (hasEvent)
            {
                var data = events.Current;
                using (var chunk = JsonDocument.Parse(data))
                {
                    var root = chunk.RootElement;
                    if (!PrimedStream.IsChunk(root)) throw new Upstreams.BackendStreamException("the backend sent an error or a non-chunk in its stream");
                    if (streamId is null && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        streamId = id.GetString();
                        created = root.TryGetProperty("created", out var c) && c.TryReadInt64(out var t) ? t : 0;
                    }
                    var hadText = request.ForwardedText.Length;
                    CollectText(request.ForwardedText, root);
                    if (request.TimeToFirstTokenMs is null && request.ForwardedText.Length > hadText) request.TimeToFirstTokenMs = request.ElapsedMs;
                    if (BackendUsage.Read(root) is { } usage)
                    {
                        // The usage chunk is the tail: held until the usage it reports is durable.
                        reported = usage;
                        usageChunk = data.ToArray();
                    }
                    else
                    {
                        if (translator is not null) translator.Chunk(output, root);
                        else WriteEvent(output, root, request, withUsage: false);
                        await output.FlushAsync(http.RequestAborted);
                    }
                }
                hasEvent = await events.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            request.Status = UsageStatus.ClientCancelled;
        }
        catch (IOException) when (http.RequestAborted.IsCancellationRequested)
        {
            request.Status = UsageStatus.ClientCancelled;
        }
        catch (Exception ex) when (ex is Upstreams.BackendStreamException or JsonException)
        {
            LogStreamFailed(logger, request.RequestId, request.Backend?.Id ?? "-", ex.GetType().Name);
            request.Status = UsageStatus.UpstreamFailed;
        }
        finally
        {
            await events.DisposeAsync();
        }

        var forwarded = request.ForwardedText.ToString();
        request.ForwardedText = null;
        meter.Run(request, reported, () => forwarded);
        if (request.Status == UsageStatus.ClientCancelled)
        {
            await settle.RunAsync(request, waitForCommit: false);
            return;
        }
        var notRecorded = await settle.RunAsync(request);
        try
        {
            if (notRecorded is not null)
            {
                await output.WriteAsync(translator?.Error(notRecorded) ?? ApiErrorWriter.ToSseEvent(notRecorded), http.RequestAborted);
            }
            else if (request.Status == UsageStatus.UpstreamFailed)
            {
                var broken = ApiError.UpstreamUnavailable("The backend failed while streaming; the response is incomplete. What was delivered is billed.");
                await output.WriteAsync(translator?.Error(broken) ?? ApiErrorWriter.ToSseEvent(broken), http.RequestAborted);
            }
            else if (translator is not null)
            {
                if (usageChunk is not null)
                {
                    // A backend may put the last text in its usage chunk: it is translated before the tail.
                    using var chunk = JsonDocument.Parse(usageChunk);
                    translator.Chunk(output, chunk.RootElement);
                }
                translator.Complete(output, request);
                await request.Surface!.KeepAsync(request);
            }
            else
            {
                if (usageChunk is not null && (request.ClientWantsUsage || HasChoices(usageChunk)))
                {
                    using var chunk = JsonDocument.Parse(usageChunk);
                    WriteEvent(output, chunk.RootElement, request, withUsage: request.ClientWantsUsage);
                }
                else if (usageChunk is null && request.ClientWantsUsage)
                {
                    // The backend sent no usage: the client asked for it, so it gets the counted numbers.
                    WriteSyntheticUsageChunk(output, request, streamId, created);
                }
                output.Write(Done);
            }
            await output.FlushAsync(http.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            // The client left after its usage was recorded: nothing more to do.
        }
    }

    private static void WriteEvent(PipeWriter output, JsonElement root, GatewayRequest request, bool withUsage)
    {
        output.Write(DataPrefix);
        ResponseJson.Write(output, root, request, withUsage);
        output.Write(EventEnd);
    }

    private static void WriteSyntheticUsageChunk(PipeWriter output, GatewayRequest request, string? id, long created)
    {
        using var empty = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(
            new SyntheticChunk(id ?? request.RequestId, "chat.completion.chunk", created, request.Model.Id, []), GatewayJson.Default.SyntheticChunk));
        WriteEvent(output, empty.RootElement, request, withUsage: true);
    }

    private static void CollectText(StringBuilder text, JsonElement root)
    {
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) return;
        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("delta", out var delta)) Meter.AppendMessageText(text, delta);
        }
    }

    private static bool HasChoices(byte[] chunk)
    {
        using var document = JsonDocument.Parse(chunk);
        return document.RootElement.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream of request {RequestId} from backend {BackendId} failed ({Cause}); billed for what was forwarded")]
    private static partial void LogStreamFailed(ILogger logger, string requestId, string backendId, string cause);
}
