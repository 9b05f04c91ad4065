using System.Net;
using System.Text.Json;
using OpenAI.Embeddings;
using Tollgate.LocalModels.Tests.Embeddings;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.LocalModels.Tests.Gateway;

/// <summary>The demo's <c>tg-embed</c> on the built-in model, end to end through the gateway with the official SDK.</summary>
public sealed class LocalEmbeddingsGatewayTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new(simulatedEmbeddings: false);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task GenerateEmbeddings_OfficialSdk_RealVectorsBilledByTheModelsTokenCount()
    {
        var client = _app.OpenAi().GetEmbeddingClient("tg-embed");

        OpenAIEmbeddingCollection result = await client.GenerateEmbeddingsAsync(["a cat sat on the mat", "a kitten rested on the rug", "quarterly revenue rose"]);

        var v = result.Select(e => e.ToFloats().ToArray()).ToArray();
        Assert.All(v, x => Assert.Equal(384, x.Length));
        Assert.True(MiniLmEmbedderTests.Cosine(v[0], v[1]) > MiniLmEmbedderTests.Cosine(v[0], v[2]) + 0.4);
        var expectedTokens = MiniLmEmbedderTests.Embedder.CountTokens("a cat sat on the mat")
            + MiniLmEmbedderTests.Embedder.CountTokens("a kitten rested on the rug")
            + MiniLmEmbedderTests.Embedder.CountTokens("quarterly revenue rose");
        Assert.Equal(expectedTokens, result.Usage.InputTokenCount);
        var usage = Assert.Single(await _app.UsageAsync());
        Assert.Equal((UsageSource.Backend, (long)expectedTokens, "tg-embed-local"), (usage.Source, usage.Tokens.InputTokens, usage.BackendId));
        // tg-embed: $0.02 per million input tokens.
        Assert.Equal(expectedTokens * 0.02m / 1_000_000m, usage.ChargedAmount);
    }

    [Fact]
    public async Task Embeddings_FloatAndBase64_SameVector()
    {
        using var http = _app.ApiClient();
        using var floats = await http.PostAsync("/v1/embeddings", JsonBody("""{"model":"tg-embed","input":"same text","encoding_format":"float"}"""));
        Assert.Equal(HttpStatusCode.OK, floats.StatusCode);
        using var json = JsonDocument.Parse(await floats.Content.ReadAsStringAsync());
        var expected = json.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()).ToArray();

        OpenAIEmbedding sdk = await _app.OpenAi().GetEmbeddingClient("tg-embed").GenerateEmbeddingAsync("same text");

        Assert.Equal(expected, sdk.ToFloats().ToArray());
    }

    [Theory]
    [InlineData("""{"model":"tg-embed","input":[[1,2,3]]}""", "input")]
    [InlineData("""{"model":"tg-embed","input":"hi","dimensions":64}""", "dimensions")]
    public async Task Embeddings_WhatTheModelCannotDo_400NamingTheField(string body, string param)
    {
        using var http = _app.ApiClient();
        using var response = await http.PostAsync("/v1/embeddings", JsonBody(body));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, param);
        Assert.Empty(await _app.UsageAsync());
    }

    [Fact]
    public async Task Embeddings_InputLongerThanTheModelReads_400()
    {
        var text = string.Join(' ', Enumerable.Repeat("ledger", 600));
        using var http = _app.ApiClient();
        using var response = await http.PostAsync("/v1/embeddings", JsonBody(JsonSerializer.Serialize(new { model = "tg-embed", input = new[] { "fine", text } })));

        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "input");
        Assert.Contains("input[1]", error.GetProperty("message").GetString());
    }
}
