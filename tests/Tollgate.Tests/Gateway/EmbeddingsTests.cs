using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI.Embeddings;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway;

/// <summary><c>POST /v1/embeddings</c> through the official SDK, which always asks for base64.</summary>
public sealed class EmbeddingsTests : TollgateTestBase
{
    [Fact]
    public async Task GenerateEmbeddings_WithOfficialSdk_ReturnsUnitVectorsInOrderAndMetersExactly()
    {
        var client = App.OpenAi().GetEmbeddingClient("tg-embed");

        OpenAIEmbeddingCollection embeddings = await client.GenerateEmbeddingsAsync(["the gateway meters", "every token", "the gateway meters"]);

        Assert.Equal("tg-embed", embeddings.Model);
        Assert.Equal([0, 1, 2], embeddings.Select(e => e.Index));
        foreach (var embedding in embeddings)
        {
            var vector = embedding.ToFloats().ToArray();
            Assert.Equal(384, vector.Length);
            Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), precision: 4);
        }
        Assert.Equal(embeddings[0].ToFloats().ToArray(), embeddings[2].ToFloats().ToArray());
        Assert.NotEqual(embeddings[0].ToFloats().ToArray(), embeddings[1].ToFloats().ToArray());
        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal((UsageSource.Backend, 0L), (usage.Source, usage.Tokens.OutputTokens));
        Assert.Equal(embeddings.Usage.InputTokenCount, usage.Tokens.InputTokens);
        Assert.True(usage.Tokens.InputTokens > 0);
        // tg-embed: $0.02 per million input tokens.
        Assert.Equal(usage.Tokens.InputTokens * 0.02m / 1_000_000m, usage.ChargedAmount);
    }

    [Fact]
    public async Task GenerateEmbedding_SdkBase64_DecodesToTheFloatAnswer()
    {
        using var http = App.ApiClient();
        using var floats = await http.PostAsync("/v1/embeddings", JsonBody("""{"model":"tg-embed","input":"same text","encoding_format":"float"}"""));
        using var json = JsonDocument.Parse(await floats.Content.ReadAsStringAsync());
        var expected = json.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();

        OpenAIEmbedding embedding = await App.OpenAi().GetEmbeddingClient("tg-embed").GenerateEmbeddingAsync("same text");

        Assert.Equal(expected, embedding.ToFloats().ToArray());
    }

    [Fact]
    public async Task GenerateEmbedding_DimensionsOption_ReturnsThatManyValues()
    {
        OpenAIEmbedding embedding = await App.OpenAi().GetEmbeddingClient("tg-embed")
            .GenerateEmbeddingAsync("short", new EmbeddingGenerationOptions { Dimensions = 64 });

        Assert.Equal(64, embedding.ToFloats().Length);
    }

    /// <summary>Through an <c>open_ai</c> backend: the SDK's base64 request reaches the upstream as sent, and its answer comes back decoded.</summary>
    [Fact]
    public async Task GenerateEmbedding_OpenAiBackend_ForwardsBase64RequestAndRelaysVector()
    {
        await using var stub = await StubUpstream.StartAsync();
        stub.On("embed", Stub.Embeddings(JsonNode.Parse("""{"prompt_tokens":2,"total_tokens":2}""")!.AsObject()));
        await App.PutUpstreamModelAsync("stub-embed", [stub.BaseUrl("embed")], kind: "embeddings");

        OpenAIEmbedding embedding = await App.OpenAi().GetEmbeddingClient("stub-embed").GenerateEmbeddingAsync("two tokens");

        Assert.Equal([0.6f, 0.8f, 0f], embedding.ToFloats().ToArray());
        var forwarded = Assert.Single(stub.Received("embed")).Body;
        Assert.Equal("base64", forwarded["encoding_format"]!.GetValue<string>());
        Assert.Equal("up-model", forwarded["model"]!.GetValue<string>());
        Assert.Equal(2, Assert.Single(await App.UsageAsync()).Tokens.InputTokens);
    }
}
