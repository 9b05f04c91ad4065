namespace Tollgate.Distillation;

/// <summary>
/// What the watch keeps of a prompt's meaning: the signs of its sentence vector against
/// <see cref="Bits"/> fixed random directions (SimHash). Two sketches differ in about
/// angle/π of their bits, so the vectors' cosine can be estimated from them; the 256 bits
/// cannot be turned back into the vector, let alone the text. The vector itself is dropped
/// as soon as its sketch is made.
/// </summary>
internal readonly record struct MeaningSketch(ulong A, ulong B, ulong C, ulong D)
{
    public const int Bits = 256;

    private static readonly float[][] Directions = MakeDirections(LocalModels.Embeddings.MiniLmEmbedder.Dimensions);

    public static MeaningSketch Of(ReadOnlySpan<float> vector)
    {
        Span<ulong> words = stackalloc ulong[Bits / 64];
        for (var bit = 0; bit < Bits; bit++)
        {
            var direction = Directions[bit];
            var dot = 0f;
            for (var i = 0; i < vector.Length && i < direction.Length; i++) dot += vector[i] * direction[i];
            if (dot >= 0) words[bit / 64] |= 1UL << (bit % 64);
        }
        return new MeaningSketch(words[0], words[1], words[2], words[3]);
    }

    /// <summary>The estimated cosine of the two vectors: cos(π × share of differing bits).</summary>
    public double Cosine(MeaningSketch other)
    {
        var differing = ulong.PopCount(A ^ other.A) + ulong.PopCount(B ^ other.B) + ulong.PopCount(C ^ other.C) + ulong.PopCount(D ^ other.D);
        return Math.Cos(Math.PI * differing / Bits);
    }

    /// <summary>Share of the sketches with at least one other at or above <paramref name="cosine"/>: the same request asked again, whatever its words.</summary>
    public static double CloseShare(IReadOnlyList<MeaningSketch> sketches, double cosine)
    {
        var close = 0;
        for (var i = 0; i < sketches.Count; i++)
        {
            for (var j = 0; j < sketches.Count; j++)
            {
                if (i != j && sketches[i].Cosine(sketches[j]) >= cosine)
                {
                    close++;
                    break;
                }
            }
        }
        return sketches.Count == 0 ? 0 : (double)close / sketches.Count;
    }

    /// <summary>Share of <paramref name="mine"/> with a close sketch among <paramref name="theirs"/>.</summary>
    public static double MatchedShare(IReadOnlyList<MeaningSketch> mine, IReadOnlyList<MeaningSketch> theirs, double cosine)
    {
        if (mine.Count == 0) return 0;
        var matched = mine.Count(m => theirs.Any(t => m.Cosine(t) >= cosine));
        return (double)matched / mine.Count;
    }

    /// <summary>Gaussian directions from a fixed seed (Box–Muller): the same on every node, so sketches compare across restarts.</summary>
    private static float[][] MakeDirections(int dimensions)
    {
        var random = new Random(0x5eed);
        var directions = new float[Bits][];
        for (var bit = 0; bit < Bits; bit++)
        {
            directions[bit] = new float[dimensions];
            for (var i = 0; i < dimensions; i++)
            {
                var u1 = 1.0 - random.NextDouble();
                directions[bit][i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * random.NextDouble()));
            }
        }
        return directions;
    }
}
