using System.Buffers;
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
        var cap = ReadInt(body, "max_completion_tokens") ?? ReadInt(body, "max_tokens") ?? 4096;
        var n = ReadInt(body, "n") ?? 1;
        long? seed = body.TryGetProperty("seed", out var s) && s.TryReadInt64(out var sv) ? sv : null;
        var stop = ReadStop(body);
        var choices = Enumerable.Range(0, n).Select(i => text.Generate(encoding, SimulatedText.SeedOf(prompt, seed, i), cap, stop)).ToArray();
        var id = "chatcmpl-sim" + SimulatedText.SeedOf(prompt, seed, -1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var usage = new SimulatedUsage(promptTokens, choices.Sum(c => c.Tokens));
        if (!stream) return new BackendJson(Write(w => WriteCompletion(w, id, created, model, choices, usage)));
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
            yield return Write(w => WriteChunk(w, id, created, model, c, role: true, content: "", finish: null));
        }
        var longest = choices.Max(c => c.Pieces.Count);
        for (var i = 0; i < longest; i++)
        {
            for (var c = 0; c < choices.Length; c++)
            {
                if (i < choices[c].Pieces.Count)
                    yield return Write(w => WriteChunk(w, id, created, model, c, role: false, content: choices[c].Pieces[i].Piece, finish: null));
            }
            if (perToken > TimeSpan.Zero) await Task.Delay(perToken, time, cancellationToken);
        }
        for (var c = 0; c < choices.Length; c++)
        {
            yield return Write(w => WriteChunk(w, id, created, model, c, role: false, content: null, finish: choices[c].FinishReason));
        }
        if (usage is { } u)
        {
            yield return Write(w =>
            {
                w.WriteStartObject();
                WriteHeader(w, id, "chat.completion.chunk", created, model);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                WriteUsage(w, u);
                w.WriteEndObject();
            });
        }
    }

    private BackendJson Embeddings(JsonElement body, string model, string encoding, BackendSettings settings)
    {
        var dimensions = ReadInt(body, "dimensions") ?? settings.SimulatorEmbeddingDimensions;
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
        return new BackendJson(Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            for (var i = 0; i < inputs.Count; i++)
            {
                var vector = SimulatedEmbedding.For(inputs[i], dimensions);
                w.WriteStartObject();
                w.WriteString("object", "embedding");
                w.WriteNumber("index", i);
                if (base64)
                {
                    w.WriteBase64String("embedding", System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
                }
                else
                {
                    w.WriteStartArray("embedding");
                    foreach (var value in vector) w.WriteNumberValue(value);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("model", model);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", tokens);
            w.WriteNumber("total_tokens", tokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }));
    }

    private static void WriteCompletion(Utf8JsonWriter w, string id, long created, string model, SimulatedChoice[] choices, SimulatedUsage usage)
    {
        w.WriteStartObject();
        WriteHeader(w, id, "chat.completion", created, model);
        w.WriteStartArray("choices");
        for (var i = 0; i < choices.Length; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("index", i);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", choices[i].Text);
            w.WriteNull("refusal");
            w.WriteStartArray("annotations");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", choices[i].FinishReason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteUsage(w, usage);
        w.WriteEndObject();
    }

    private static void WriteChunk(Utf8JsonWriter w, string id, long created, string model, int index, bool role, string? content, string? finish)
    {
        w.WriteStartObject();
        WriteHeader(w, id, "chat.completion.chunk", created, model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", index);
        w.WriteStartObject("delta");
        if (role) w.WriteString("role", "assistant");
        if (content is not null) w.WriteString("content", content);
        w.WriteEndObject();
        w.WriteNull("logprobs");
        if (finish is null) w.WriteNull("finish_reason");
        else w.WriteString("finish_reason", finish);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter w, string id, string kind, long created, string model)
    {
        w.WriteString("id", id);
        w.WriteString("object", kind);
        w.WriteNumber("created", created);
        w.WriteString("model", model);
        w.WriteString("system_fingerprint", "fp_tollgate_sim");
    }

    private static void WriteUsage(Utf8JsonWriter w, SimulatedUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.PromptTokens);
        w.WriteNumber("completion_tokens", usage.CompletionTokens);
        w.WriteNumber("total_tokens", usage.PromptTokens + usage.CompletionTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, Hosting.JsonWriting.Options)) write(writer);
        return buffer.WrittenSpan.ToArray();
    }

    private static int? ReadInt(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.TryReadInt32(out var i) ? i : null;

    private static List<string> ReadStop(JsonElement body)
    {
        if (!body.TryGetProperty("stop", out var stop)) return [];
        if (stop.ValueKind == JsonValueKind.String) return [stop.GetString()!];
        return stop.ValueKind == JsonValueKind.Array
            ? [.. stop.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];
    }

    private readonly record struct SimulatedUsage(long PromptTokens, long CompletionTokens);
}
