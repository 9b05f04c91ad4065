using System.Text.Json;
using Tollgate.Catalog;
using Tollgate.LocalModels.Embeddings;

namespace Tollgate.Upstreams.Local;

/// <summary>
/// The built-in MiniLM embeddings model, in-process. An <c>input</c> array runs as one batch;
/// usage is the model's own WordPiece count, so a customer is billed for what the model read.
/// </summary>
internal sealed class LocalEmbeddingsBackend(MiniLmEmbedder embedder, LocalQueues queues) : IModelBackend
{
    public BackendKind Kind => BackendKind.LocalEmbeddings;

    public async Task<BackendResponse> SendAsync(BackendRequest request, CancellationToken cancellationToken)
    {
        if (request.Operation != ModelOperation.Embeddings)
            return BackendFailure.Invalid("This model only computes embeddings: call /v1/embeddings.", "model");
        using var document = JsonDocument.Parse(request.Body);
        var body = document.RootElement;
        if (ReadInput(body, out var texts) is { } refused) return refused;
        if (OpenAiWire.ReadInt(body, "dimensions") is { } dimensions && dimensions != MiniLmEmbedder.Dimensions)
            return BackendFailure.Invalid($"This model's embeddings have {MiniLmEmbedder.Dimensions} dimensions; 'dimensions' cannot change that.", "dimensions");
        long tokens = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            var count = embedder.CountTokens(texts[i]);
            if (count > MiniLmEmbedder.MaxInputTokens)
            {
                return BackendFailure.Invalid(
                    $"This model reads at most {MiniLmEmbedder.MaxInputTokens} tokens per input; input[{i}] is longer. Split it into smaller pieces.", "input");
            }
            tokens += count;
        }
        var queue = queues.For(request.Backend);
        using var slot = await queue.EnterAsync(cancellationToken);
        if (slot is null) return LocalQueues.Full(queue);
        var vectors = await Task.Run(() => embedder.Embed(texts, cancellationToken), cancellationToken);
        var base64 = body.TryGetProperty("encoding_format", out var format) && format.ValueEquals("base64");
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : request.Backend.ModelId;
        return new BackendJson(OpenAiWire.Embeddings(model, vectors, base64, tokens));
    }

    /// <summary>Text only: token-id arrays belong to another tokenizer's vocabulary.</summary>
    private static BackendFailure? ReadInput(JsonElement body, out List<string> texts)
    {
        texts = [];
        if (!body.TryGetProperty("input", out var input)) return BackendFailure.Invalid("You must provide an input parameter.", "input");
        if (input.ValueKind == JsonValueKind.String)
        {
            texts.Add(input.GetString()!);
            return null;
        }
        if (input.ValueKind == JsonValueKind.Array && input.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String))
        {
            texts.AddRange(input.EnumerateArray().Select(i => i.GetString()!));
            return null;
        }
        return BackendFailure.Invalid("This model takes text: 'input' must be a string or an array of strings, not token ids.", "input");
    }
}
