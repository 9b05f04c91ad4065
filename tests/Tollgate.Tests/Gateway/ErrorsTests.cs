using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenAI.Chat;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway;

/// <summary>Every data-plane error of DESIGN §6 that applies before wallets and limits, in OpenAI's one error shape.</summary>
public sealed class ErrorsTests : TollgateTestBase
{
    private const string Hello = """{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}""";

    private readonly FakeTimeProvider _time;

    public ErrorsTests()
        : this(new FakeTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private ErrorsTests(FakeTimeProvider time)
        : base(time) => _time = time;

    public static TheoryData<string?> BadAuthorizations => new()
    {
        null,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNzd29yZA==",
        "tg_000000000000_0000000000000000000000000000000000000000",
        "Bearer sk-proj-not-one-of-ours",
        "Bearer tg_000000000000_0000000000000000000000000000000000000000",
        "Bearer tg_ABCDEFGHIJKL_0000000000000000000000000000000000000000",
    };

    [Theory]
    [MemberData(nameof(BadAuthorizations))]
    public async Task PostChat_MissingOrMalformedOrUnknownKey_Returns401InvalidApiKey(string? authorization)
    {
        using var client = App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonBody(Hello) };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Empty(await App.UsageAsync());
    }

    [Fact]
    public async Task PostChat_RightKeyIdWrongSecret_Returns401WithoutEchoingTheSecret()
    {
        var key = App.DemoApiKey;
        var wrong = key[..^6] + (key[^6..] == "aaaaaa" ? "bbbbbb" : "aaaaaa");
        using var client = App.ApiClient(wrong);

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(Hello));

        var error = await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.DoesNotContain(wrong[^30..^6], error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task CompleteChat_KeyPastItsExpiry_Returns401InvalidApiKey()
    {
        var key = await App.CreateKeyAsync(expiresAt: _time.GetUtcNow().AddHours(1));
        var chat = App.OpenAi(key.Secret).GetChatClient("tg-mini");
        await chat.CompleteChatAsync([new UserChatMessage("before expiry")]);

        _time.Advance(TimeSpan.FromHours(1));
        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("after expiry")]));

        var body = AssertError(error, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Contains("expired", body.GetProperty("message").GetString());
        Assert.Single(await App.UsageAsync());
    }

    [Fact]
    public async Task CompleteChat_RevokedKey_Returns401OnTheNextRequest()
    {
        var key = await App.CreateKeyAsync();
        var chat = App.OpenAi(key.Secret).GetChatClient("tg-mini");
        await chat.CompleteChatAsync([new UserChatMessage("before revocation")]);

        using (var admin = App.AdminClient())
        using (var revoked = await admin.PostAsync($"/admin/v1/keys/{key.Id}/revoke", JsonBody("{}")))
        {
            Assert.True(revoked.IsSuccessStatusCode, await revoked.Content.ReadAsStringAsync());
        }
        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("after revocation")]));

        var body = AssertError(error, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Contains("revoked", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task GetModels_WithoutKey_Returns401InvalidApiKey()
    {
        using var client = App.CreateClient();

        using var list = await client.GetAsync("/v1/models");
        using var one = await client.GetAsync("/v1/models/tg-mini");

        await AssertErrorAsync(list, HttpStatusCode.Unauthorized, "invalid_api_key");
        await AssertErrorAsync(one, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    /// <summary>A malformed body is refused before anything is forwarded, naming the field at fault.</summary>
    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","messages":[""", null, null)]
    [InlineData("/v1/chat/completions", "", null, null)]
    [InlineData("/v1/chat/completions", """[{"model":"tg-mini"}]""", null, null)]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}]}""", "model", "missing_required_parameter")]
    [InlineData("/v1/chat/completions", """{"model":42,"messages":[{"role":"user","content":"hi"}]}""", "model", "missing_required_parameter")]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini"}""", "messages", "missing_required_parameter")]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","messages":[]}""", "messages", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","messages":"hi"}""", "messages", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","messages":[{"role":"user","content":"a"},{"content":"b"}]}""", "messages[1]", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","max_tokens":-5,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","max_tokens":"ten","messages":[{"role":"user","content":"hi"}]}""", "max_tokens", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","max_tokens":2.5,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","max_tokens":1000000,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","max_completion_tokens":0,"messages":[{"role":"user","content":"hi"}]}""", "max_completion_tokens", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""", "stream_options", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","stream":false,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""", "stream_options", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","stream":true,"stream_options":true,"messages":[{"role":"user","content":"hi"}]}""", "stream_options", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","stream":"yes","messages":[{"role":"user","content":"hi"}]}""", "stream", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","n":0,"messages":[{"role":"user","content":"hi"}]}""", "n", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","n":17,"messages":[{"role":"user","content":"hi"}]}""", "n", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-mini","n":"2","messages":[{"role":"user","content":"hi"}]}""", "n", null)]
    [InlineData("/v1/chat/completions", """{"model":"tg-embed","messages":[{"role":"user","content":"hi"}]}""", "model", "model_not_supported")]
    [InlineData("/v1/embeddings", """{"model":"tg-embed"}""", "input", "missing_required_parameter")]
    [InlineData("/v1/embeddings", """{"model":"tg-embed","input":""}""", "input", null)]
    [InlineData("/v1/embeddings", """{"model":"tg-embed","input":["a",1]}""", "input", null)]
    [InlineData("/v1/embeddings", """{"model":"tg-embed","input":"hi","encoding_format":"int8"}""", "encoding_format", null)]
    [InlineData("/v1/embeddings", """{"model":"tg-embed","input":"hi","dimensions":0}""", "dimensions", null)]
    [InlineData("/v1/embeddings", """{"model":"tg-embed","input":"hi","dimensions":"8"}""", "dimensions", null)]
    [InlineData("/v1/embeddings", """{"model":"tg-embed","input":[[1,"2"]]}""", "input", null)]
    [InlineData("/v1/embeddings", """{"model":"tg-mini","input":"hi"}""", "model", "model_not_supported")]
    public async Task Post_MalformedBody_Returns400NamingTheParam(string path, string body, string? param, string? code)
    {
        using var client = App.ApiClient();

        using var response = await client.PostAsync(path, JsonBody(body));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, code, param);
        Assert.Empty(await App.UsageAsync());
    }

    [Fact]
    public async Task CompleteChat_ZeroMaxOutputTokens_SdkGets400NamingMaxCompletionTokens()
    {
        var chat = App.OpenAi().GetChatClient("tg-mini");

        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            chat.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 0 }));

        AssertError(error, HttpStatusCode.BadRequest, null, "max_completion_tokens");
    }

    [Fact]
    public async Task CompleteChat_UnknownModel_Returns404ModelNotFound()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            App.OpenAi().GetChatClient("no-such-model").CompleteChatAsync([new UserChatMessage("hi")]));

        AssertError(error, HttpStatusCode.NotFound, "model_not_found", "model");
    }

    [Fact]
    public async Task CompleteChat_ModelOutsideKeyScope_Returns404ModelNotFound()
    {
        var key = await App.CreateKeyAsync(models: ["tg-pro"]);
        var sdk = App.OpenAi(key.Secret);
        await sdk.GetChatClient("tg-pro").CompleteChatAsync([new UserChatMessage("in scope")]);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => sdk.GetChatClient("tg-mini").CompleteChatAsync([new UserChatMessage("out of scope")]));

        AssertError(error, HttpStatusCode.NotFound, "model_not_found", "model");
        using var client = App.ApiClient(key.Secret);
        using var model = await client.GetAsync("/v1/models/tg-mini");
        await AssertErrorAsync(model, HttpStatusCode.NotFound, "model_not_found", "model");
    }

    [Fact]
    public async Task PostChat_UnpricedModel_Returns404AndIsNeverBilledAtZero()
    {
        await App.PutModelAsync("tg-unpriced", JsonNode.Parse("""{"kind":"chat","backends":[{"id":"tg-unpriced-sim","kind":"simulator"}]}""")!.AsObject());
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody("""{"model":"tg-unpriced","messages":[{"role":"user","content":"hi"}]}"""));
        using var model = await client.GetAsync("/v1/models/tg-unpriced");

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "model_not_found", "model");
        await AssertErrorAsync(model, HttpStatusCode.NotFound, "model_not_found", "model");
        Assert.Empty(await App.UsageAsync());
    }

    [Fact]
    public async Task CompleteChat_GatedModel_Returns403ModelGatedOnCallAndOnGetModel()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            App.OpenAi().GetChatClient("tg-flagship").CompleteChatAsync([new UserChatMessage("hi")]));
        var getError = await Assert.ThrowsAsync<ClientResultException>(() => App.OpenAi().GetOpenAIModelClient().GetModelAsync("tg-flagship"));

        AssertError(error, HttpStatusCode.Forbidden, "model_gated", "model");
        AssertError(getError, HttpStatusCode.Forbidden, "model_gated", "model");
        Assert.Empty(await App.UsageAsync());
    }

    [Fact]
    public async Task PostChat_GatedModelInKeyScope_StillReturns403ModelGated()
    {
        var key = await App.CreateKeyAsync(models: ["tg-flagship"]);
        using var client = App.ApiClient(key.Secret);

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody("""{"model":"tg-flagship","messages":[{"role":"user","content":"hi"}]}"""));

        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "model_gated", "model");
    }

    [Theory]
    [InlineData("POST", "/v1/completions")]
    [InlineData("POST", "/v1/messages/batches")]
    [InlineData("GET", "/v1/files")]
    [InlineData("GET", "/v1/chat/completions")]
    [InlineData("DELETE", "/v1/models/tg-mini")]
    [InlineData("GET", "/v1")]
    [InlineData("POST", "/v1/chat/completions/extra")]
    public async Task Request_UnknownV1Path_Returns404NotProxied(string method, string path)
    {
        using var client = App.ApiClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = JsonBody(Hello);

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "unknown_url");
        Assert.Empty(await App.UsageAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostChat_BodyOverSizeLimit_Returns413(bool chunked)
    {
        // The default limit is 16 MiB; one byte past it, as one long message.
        const string prefix = """{"model":"tg-mini","messages":[{"role":"user","content":""" + "\"";
        var body = Encoding.UTF8.GetBytes(prefix + new string('a', 16 * 1024 * 1024 + 1 - prefix.Length - 4) + "\"}]}");
        Assert.Equal(16 * 1024 * 1024 + 1, body.Length);
        using var client = App.ApiClient();
        using HttpContent content = chunked ? new StreamContent(new UnseekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
        Assert.Empty(await App.UsageAsync());
    }

    /// <summary>A body whose length the client cannot know in advance, so it is sent chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
