using Tollgate.LocalModels.Embeddings;

namespace Tollgate.LocalModels.Tests.Embeddings;

/// <summary>The built-in MiniLM model: real semantics, its own token counts, batches equal to single calls.</summary>
public sealed class MiniLmEmbedderTests
{
    internal static readonly MiniLmEmbedder Embedder = new();

    internal static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    [Fact]
    public void Embed_RelatedSentences_ClearlyCloserThanUnrelated()
    {
        var v = Embedder.Embed(["a cat sat on the mat", "a kitten rested on the rug", "quarterly revenue rose"], CancellationToken.None);

        var related = Cosine(v[0], v[1]);
        var unrelated = Math.Max(Cosine(v[0], v[2]), Cosine(v[1], v[2]));
        Assert.True(related > 0.5, $"related {related}");
        Assert.True(unrelated < 0.2, $"unrelated {unrelated}");
        Assert.True(related - unrelated > 0.4);
    }

    [Fact]
    public void Embed_Batch_SameVectorsAsOneByOneInInputOrder()
    {
        string[] texts = ["short", "a much longer sentence about invoices and ledgers", "mid length text"];

        var batch = Embedder.Embed(texts, CancellationToken.None);

        Assert.All(batch, v => Assert.Equal(MiniLmEmbedder.Dimensions, v.Length));
        for (var i = 0; i < texts.Length; i++)
        {
            var single = Embedder.Embed([texts[i]], CancellationToken.None)[0];
            Assert.True(Cosine(single, batch[i]) > 0.9999, $"input {i}");
            Assert.Equal(1.0, Math.Sqrt(batch[i].Sum(x => (double)x * x)), precision: 4);
        }
    }

    [Fact]
    public void CountTokens_WordPieces_WithoutTheModelsMarkers()
    {
        Assert.Equal(6, Embedder.CountTokens("a cat sat on the mat"));
        Assert.Equal(8, Embedder.CountTokens("Hello, world unbelievably")); // hello , world un ##bel ##ie ##va ##bly
    }
}
