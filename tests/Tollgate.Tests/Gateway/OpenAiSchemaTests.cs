using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway;

/// <summary>What Tollgate answers has the shape of OpenAI's published schemas, so official clients read it.</summary>
public sealed class OpenAiSchemaTests : TollgateTestBase
{
    [Theory]
    [InlineData("""{"model":"tg-mini","messages":[{"role":"user","content":"Describe the gateway"}]}""")]
    [InlineData("""{"model":"tg-mini","n":3,"max_tokens":5,"messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"hi"}]}""")]
    public async Task PostChat_Completion_IsValidCreateChatCompletionResponse(string request)
    {
        var json = await PostOkAsync("/v1/chat/completions", request);

        OpenAiSchemas.AssertValid("CreateChatCompletionResponse", json);
    }

    [Theory]
    [InlineData("""{"model":"tg-mini","stream":true,"messages":[{"role":"user","content":"Stream please"}]}""")]
    [InlineData("""{"model":"tg-mini","stream":true,"stream_options":{"include_usage":true},"n":2,"messages":[{"role":"user","content":"Stream please"}]}""")]
    public async Task PostChatStream_EveryChunk_IsValidCreateChatCompletionStreamResponse(string request)
    {
        var chunks = Sse.Chunks(await PostOkAsync("/v1/chat/completions", request));

        Assert.True(chunks.Count > 2);
        foreach (var chunk in chunks) OpenAiSchemas.AssertValid("CreateChatCompletionStreamResponse", chunk);
    }

    /// <summary>The usage chunk the gateway writes itself when a backend's stream carried none.</summary>
    [Fact]
    public async Task PostChatStream_SyntheticUsageChunk_IsValidCreateChatCompletionStreamResponse()
    {
        await using var stub = await StubUpstream.StartAsync();
        stub.On("plain", Stub.Stream(usage: null));
        await App.PutUpstreamModelAsync("stub-chat", [stub.BaseUrl("plain")]);

        var chunks = Sse.Chunks(await PostOkAsync("/v1/chat/completions",
            """{"model":"stub-chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Contains("\"choices\":[]", chunks[^1]);
        foreach (var chunk in chunks) OpenAiSchemas.AssertValid("CreateChatCompletionStreamResponse", chunk);
    }

    [Theory]
    [InlineData("""{"model":"tg-embed","input":"one text"}""")]
    [InlineData("""{"model":"tg-embed","input":["one","two"],"encoding_format":"float"}""")]
    [InlineData("""{"model":"tg-embed","input":[[1,2,3]],"encoding_format":"float","dimensions":8}""")]
    public async Task PostEmbeddings_Float_IsValidCreateEmbeddingResponse(string request)
    {
        var json = await PostOkAsync("/v1/embeddings", request);

        OpenAiSchemas.AssertValid("CreateEmbeddingResponse", json);
    }

    /// <summary>
    /// OpenAI's schema only describes float vectors; a base64 answer is valid when each vector is a
    /// base64 string of little-endian float32s that, decoded, makes a valid response.
    /// </summary>
    [Fact]
    public async Task PostEmbeddings_Base64_DecodesToValidCreateEmbeddingResponse()
    {
        var json = JsonNode.Parse(await PostOkAsync("/v1/embeddings", """{"model":"tg-embed","input":["one","two"],"encoding_format":"base64"}"""))!;

        foreach (var item in json["data"]!.AsArray())
        {
            var bytes = Convert.FromBase64String(item!["embedding"]!.GetValue<string>());
            Assert.Equal(384 * sizeof(float), bytes.Length);
            var floats = new float[bytes.Length / sizeof(float)];
            Buffer.BlockCopy(bytes, 0, floats, 0, bytes.Length);
            item["embedding"] = new JsonArray([.. floats.Select(f => (JsonNode)f)]);
        }
        OpenAiSchemas.AssertValid("CreateEmbeddingResponse", json.ToJsonString());
    }

    [Fact]
    public async Task GetModels_ListAndOne_AreValidListModelsResponseAndModel()
    {
        using var client = App.ApiClient();

        var list = await client.GetStringAsync("/v1/models");
        var one = await client.GetStringAsync("/v1/models/tg-mini");

        OpenAiSchemas.AssertValid("ListModelsResponse", list);
        OpenAiSchemas.AssertValid("Model", one);
    }

    [Theory]
    [InlineData("tg_000000000000_0000000000000000000000000000000000000000", "/v1/chat/completions", """{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData(null, "/v1/chat/completions", "{not json")]
    [InlineData(null, "/v1/chat/completions", """{"model":"nope","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData(null, "/v1/chat/completions", """{"model":"tg-flagship","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData(null, "/v1/embeddings", """{"model":"tg-embed"}""")]
    [InlineData(null, "/v1/files", "{}")]
    public async Task Post_Error_IsValidErrorResponse(string? apiKey, string path, string request)
    {
        using var client = App.ApiClient(apiKey);

        using var response = await client.PostAsync(path, JsonBody(request));

        Assert.False(response.IsSuccessStatusCode);
        OpenAiSchemas.AssertValid("ErrorResponse", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The <c>event: error</c> that ends a stream the backend broke carries the same error document.</summary>
    [Fact]
    public async Task PostChatStream_ErrorEvent_IsValidErrorResponse()
    {
        await using var stub = await StubUpstream.StartAsync();
        stub.On("broken", Stub.Events(Stub.ChunkJson("Hello"), "not json"));
        await App.PutUpstreamModelAsync("stub-chat", [stub.BaseUrl("broken")]);

        var events = Sse.Parse(await PostOkAsync("/v1/chat/completions",
            """{"model":"stub-chat","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));

        var error = Assert.Single(events, e => e.Event == "error");
        OpenAiSchemas.AssertValid("ErrorResponse", error.Data);
    }

    /// <summary>The validator itself: required fields, enums, and types reached through <c>$ref</c>s and <c>nullable</c>.</summary>
    [Theory]
    [InlineData("CreateChatCompletionResponse", """{"id":"x","object":"chat.completion","created":1,"model":"m"}""")]
    [InlineData("CreateChatCompletionResponse",
        """{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","logprobs":null,"message":{"role":"assistant","content":5}}]}""")]
    [InlineData("CreateChatCompletionStreamResponse",
        """{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"done"}]}""")]
    [InlineData("CreateChatCompletionStreamResponse",
        """{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":"1","completion_tokens":1,"total_tokens":2}}""")]
    [InlineData("ErrorResponse", """{"error":{"message":"m","type":"t","code":null}}""")]
    public void AssertValid_DocumentBreakingTheSchema_Fails(string schema, string json) =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => OpenAiSchemas.AssertValid(schema, json));

    private async Task<string> PostOkAsync(string path, string request)
    {
        using var client = App.ApiClient();
        using var response = await client.PostAsync(path, JsonBody(request));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return body;
    }
}
