using System.Runtime.CompilerServices;
using System.Text.Json;
using Tollgate.Catalog;
using Tollgate.Gateway;
using Tollgate.Tokenization;

namespace Tollgate.Upstreams.Simulator;

/// <summary>
/// A built-in backend for demos and load tests: deterministic text derived from the prompt,
/// token counts from the real tokenizer, configurable time to first token and speed, and
/// deterministic unit-length embeddings. It answers in OpenAI's wire format, like any backend.
/// </summary>
internal sealed class SimulatorBackend(TokenCounter counter, SimulatedText text, TimeProvider time) : IModelBackend
{
    public const string OwnedBy = "tollgate-simulator";
    private const string Fingerprint = "fp_tollgate_sim";

    public BackendKind Kind => BackendKind.Simulator;

    public Task<BackendResponse> SendAsync(BackendRequest request, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(request.Body);
        var body = document.RootElement;
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : request.Backend.ModelId;
        var encoding = TokenCounter.DefaultEncoding;
        BackendResponse response = request.Operation == ModelOperation.Embeddings
            ? Embeddings(body, model, encoding, request.Backend.Settings)
            : Chat(body, model, encoding, request.Backend.Settings, request.Stream, cancellationToken);
        return Task.FromResult(response);
    }

    private BackendResponse Chat(JsonElement body, string model, string encoding, BackendSettings settings, bool stream, CancellationToken cancellationToken)
    {
        var promptTokens = ChatTokenEstimator.CountInput(counter, encoding, body);
        var prompt = body.TryGetProperty("messages", out var messages) ? messages.GetRawText() : "";
        var cap = OpenAiWire.ReadInt(body, "max_completion_tokens") ?? OpenAiWire.ReadInt(body, "max_tokens") ?? 4096;
        var n = OpenAiWire.ReadInt(body, "n") ?? 1;
        long? seed = body.TryGetProperty("seed", out var s) && s.TryReadInt64(out var sv) ? sv : null;
        var stop = OpenAiWire.ReadStop(body);
        var choices = Enumerable.Range(0, n).Select(i => text.Generate(encoding, SimulatedText.SeedOf(prompt, seed, i), cap, stop)).ToArray();
        var id = "chatcmpl-sim" + SimulatedText.SeedOf(prompt, seed, -1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var usage = new SimulatedUsage(promptTokens, choices.Sum(c => c.Tokens));
        if (!stream) return new BackendJson(OpenAiWire.Completion(id, created, model, Fingerprint, [.. choices.Select(c => new OpenAiWire.Choice(c.Text, c.FinishReason))], usage.PromptTokens, usage.CompletionTokens));
        var includeUsage = body.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        return new BackendStream(StreamChunks(id, created, model, choices, includeUsage ? usage : null, settings, cancellationToken));
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> StreamChunks(
        string id, long created, string model, SimulatedChoice[] choices, SimulatedUsage? usage, BackendSettings settings,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (settings.SimulatorTimeToFirstTokenMs > 0)
            await Task.Delay(TimeSpan.FromMilliseconds(settings.SimulatorTimeToFirstTokenMs), time, cancellationToken);
        var perToken = settings.SimulatorTokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / settings.SimulatorTokensPerSecond) : TimeSpan.Zero;
        for (var c = 0; c < choices.Length; c++)
        {
            yield return OpenAiWire.Chunk(id, created, model, Fingerprint, c, role: true, content: "", finish: null);
        }
        var longest = choices.Max(c => c.Pieces.Count);
        for (var i = 0; i < longest; i++)
        {
            for (var c = 0; c < choices.Length; c++)
            {
                if (i < choices[c].Pieces.Count)
                    yield return OpenAiWire.Chunk(id, created, model, Fingerprint, c, role: false, content: choices[c].Pieces[i].Piece, finish: null);
            }
            if (perToken > TimeSpan.Zero) await Task.Delay(perToken, time, cancellationToken);
        }
        for (var c = 0; c < choices.Length; c++)
        {
            yield return OpenAiWire.Chunk(id, created, model, Fingerprint, c, role: false, content: null, finish: choices[c].FinishReason);
        }
        if (usage is { } u) yield return OpenAiWire.UsageChunk(id, created, model, Fingerprint, u.PromptTokens, u.CompletionTokens);
    }

    private BackendJson Embeddings(JsonElement body, string model, string encoding, BackendSettings settings)
    {
        var dimensions = OpenAiWire.ReadInt(body, "dimensions") ?? settings.SimulatorEmbeddingDimensions;
        var base64 = body.TryGetProperty("encoding_format", out var f) && f.ValueEquals("base64");
        var inputs = new List<string>();
        if (body.TryGetProperty("input", out var input))
        {
            if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input[0].ValueKind != JsonValueKind.Number)
                inputs.AddRange(input.EnumerateArray().Select(i => i.GetRawText()));
            else
                inputs.Add(input.GetRawText());
        }
        var tokens = body.TryGetProperty("input", out var counted) ? ChatTokenEstimator.CountEmbeddingInput(counter, encoding, counted) : 0;
        return new BackendJson(OpenAiWire.Embeddings(model, [.. inputs.Select(i => SimulatedEmbedding.For(i, dimensions))], base64, tokens));
    }

    private readonly record struct SimulatedUsage(long PromptTokens, long CompletionTokens);
}
