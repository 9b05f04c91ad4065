using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tollgate.Catalog;
using Tollgate.LocalModels.Llama;

namespace Tollgate.Upstreams.Local;

/// <summary>
/// A GGUF model file served in-process by llama.cpp, answering in OpenAI's wire format: the
/// model's chat template frames the messages, usage comes from the model's own tokenizer, and a
/// bounded queue per backend keeps a burst from piling up (a full queue is a 503 with retry-after).
/// The queue wait and the reading of the prompt count against the first-byte limit.
/// </summary>
internal sealed partial class LlamaBackend(LlamaModelCache models, LocalQueues queues, TimeProvider time, ILogger<LlamaBackend> logger) : IModelBackend
{
    private const string Fingerprint = "fp_tollgate_llama";

    public BackendKind Kind => BackendKind.Llama;

    public async Task<BackendResponse> SendAsync(BackendRequest request, CancellationToken cancellationToken)
    {
        if (request.Operation != ModelOperation.ChatCompletions)
            return BackendFailure.Invalid("This model serves chat completions: call /v1/chat/completions.", "model");
        var settings = request.Backend.Settings;
        if (string.IsNullOrEmpty(settings.ModelPath)) return new BackendFailure(BackendFailureKind.Unreachable, "backend has no model_path");
        List<ChatTurn> turns;
        GenerationOptions options;
        string model;
        bool includeUsage;
        using (var document = JsonDocument.Parse(request.Body))
        {
            var body = document.RootElement;
            if (LlamaRequest.Read(body, settings.CapParameter, out turns, out options) is { } refused) return refused;
            model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : request.Backend.ModelId;
            includeUsage = body.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
                && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        }

        var total = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(settings.TotalTimeoutSeconds, settings.FirstByteTimeoutSeconds)));
        var firstByte = new CancellationTokenSource(TimeSpan.FromSeconds(settings.FirstByteTimeoutSeconds));
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, total.Token, firstByte.Token);
        var queue = queues.For(request.Backend);
        IDisposable? slot = null;
        LlamaGeneration? generation = null;
        try
        {
            slot = await queue.EnterAsync(linked.Token);
            if (slot is null) return LocalQueues.Full(queue);
            var loaded = await models.GetAsync(settings.ModelPath, new LlamaLoadOptions(settings.ContextSize, settings.Threads));
            var outside = options.LogitBias?.Keys.Where(t => t < 0 || t >= loaded.VocabularySize).Select(t => (int?)t).FirstOrDefault();
            if (outside is { } unknown)
                return BackendFailure.Invalid($"'logit_bias' names token {unknown}, outside this model's vocabulary of {loaded.VocabularySize}.", "logit_bias");
            var prompt = loaded.ApplyTemplate(turns);
            generation = await loaded.StartAsync(prompt, options, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new BackendFailure(BackendFailureKind.Timeout, $"no first token within {settings.FirstByteTimeoutSeconds}s (queue wait and prompt)");
        }
        catch (LlamaLoadException ex)
        {
            LogLoadFailed(logger, request.Backend.Id, ex.Message);
            return new BackendFailure(BackendFailureKind.ServerError, ex.Message);
        }
        catch (LlamaRequestException ex)
        {
            return BackendFailure.Invalid(ex.Message, "messages");
        }
        finally
        {
            if (generation is null)
            {
                slot?.Dispose();
                linked.Dispose();
                firstByte.Dispose();
                total.Dispose();
            }
        }
        // From the first token on, only the whole call's limit applies.
        firstByte.Dispose();
        var lease = new Lease(generation, slot!, linked, total);
        var id = "chatcmpl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        if (request.Stream)
            return new BackendStream(StreamAsync(generation, id, created, model, includeUsage, total, cancellationToken), lease);
        await using (lease)
        {
            var text = new StringBuilder();
            try
            {
                await foreach (var piece in generation.ReadAllAsync(total.Token)) text.Append(piece);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new BackendFailure(BackendFailureKind.Timeout, $"not finished within {settings.TotalTimeoutSeconds}s");
            }
            return new BackendJson(OpenAiWire.Completion(id, created, model, Fingerprint,
                [new OpenAiWire.Choice(text.ToString(), generation.FinishReason)], generation.PromptTokens, generation.CompletionTokens));
        }
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> StreamAsync(
        LlamaGeneration generation, string id, long created, string model, bool includeUsage, CancellationTokenSource total,
        [EnumeratorCancellation] CancellationToken clientGone = default)
    {
        yield return OpenAiWire.Chunk(id, created, model, Fingerprint, 0, role: true, content: "", finish: null);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientGone, total.Token);
        await using var pieces = generation.ReadAllAsync(linked.Token).GetAsyncEnumerator(linked.Token);
        while (true)
        {
            bool more;
            try
            {
                more = await pieces.MoveNextAsync();
            }
            catch (OperationCanceledException ex) when (!clientGone.IsCancellationRequested)
            {
                throw new BackendStreamException("the model did not finish within the backend's time limit", ex, timedOut: true);
            }
            catch (InvalidOperationException ex)
            {
                LogGenerationFailed(logger, ex.Message);
                throw new BackendStreamException("the model failed while generating", ex);
            }
            if (!more) break;
            yield return OpenAiWire.Chunk(id, created, model, Fingerprint, 0, role: false, content: pieces.Current, finish: null);
        }
        yield return OpenAiWire.Chunk(id, created, model, Fingerprint, 0, role: false, content: null, finish: generation.FinishReason);
        if (includeUsage) yield return OpenAiWire.UsageChunk(id, created, model, Fingerprint, generation.PromptTokens, generation.CompletionTokens);
    }

    /// <summary>What a running request holds: its context in the model's pool, its queue slot and its timers.</summary>
    private sealed class Lease(LlamaGeneration generation, IDisposable slot, CancellationTokenSource linked, CancellationTokenSource total) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await generation.DisposeAsync();
            slot.Dispose();
            linked.Dispose();
            total.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Backend {BackendId} could not load its model: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string backendId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A local model failed while generating: {Reason}")]
    private static partial void LogGenerationFailed(ILogger logger, string reason);
}
