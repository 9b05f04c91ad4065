using Tollgate.Distillation;

namespace Tollgate.Tests.Distillation;

/// <summary>
/// A stand-in for MiniLM where speed matters more than meaning: each word adds a fixed random
/// ±1 vector, the sum normalised. Same words, close vectors; synonyms are strangers to it.
/// </summary>
internal sealed class WordHashEmbedder : IPromptEmbedder
{
    private const int Dimensions = 384;

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken) => [.. texts.Select(Vector)];

    private static float[] Vector(string text)
    {
        var vector = new float[Dimensions];
        foreach (var word in text.ToLowerInvariant().Split([' ', ',', '.', '\n', ':', '?', '!'], StringSplitOptions.RemoveEmptyEntries))
        {
            var random = new Random(StableHash(word));
            for (var i = 0; i < Dimensions; i++) vector[i] += random.Next(2) == 0 ? -1 : 1;
        }
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        if (norm > 0)
        {
            for (var i = 0; i < Dimensions; i++) vector[i] /= norm;
        }
        return vector;
    }

    private static int StableHash(string word)
    {
        var h = 0x811c9dc5u;
        foreach (var c in word) h = (h ^ c) * 0x01000193u;
        return (int)(h & int.MaxValue);
    }
}
