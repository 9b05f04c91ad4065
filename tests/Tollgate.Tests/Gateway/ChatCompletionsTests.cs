using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Gateway;

public sealed class ChatCompletionsTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CompleteChat_WithOfficialSdk_ReturnsCompletionAndRecordsExactUsage()
    {
        var chat = _app.OpenAi().GetChatClient("tg-mini");

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Say hello to the gateway")]);

        Assert.Equal("tg-mini", completion.Model);
        Assert.False(string.IsNullOrWhiteSpace(completion.Content[0].Text));
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount > 0);
        var usage = Assert.Single(await UsageAsync());
        Assert.Equal(completion.Usage.InputTokenCount, usage.Tokens.InputTokens);
        Assert.Equal(completion.Usage.OutputTokenCount, usage.Tokens.OutputTokens);
        Assert.Equal(UsageSource.Backend, usage.Source);
        // tg-mini: $0.15 in, $0.60 out per million tokens.
        Assert.Equal(usage.Tokens.InputTokens * 0.15m / 1_000_000m + usage.Tokens.OutputTokens * 0.60m / 1_000_000m, usage.ChargedAmount);
    }

    [Fact]
    public async Task CompleteChatStreaming_WithIncludeUsage_DeliversUsageChunkAndMetersStream()
    {
        var chat = _app.OpenAi().GetChatClient("tg-mini");
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream something")]))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            usage ??= update.Usage;
        }

        Assert.NotNull(usage);
        Assert.True(text.Length > 0);
        var recorded = Assert.Single(await UsageAsync());
        Assert.True(recorded.Streamed);
        Assert.Equal(usage.OutputTokenCount, recorded.Tokens.OutputTokens);
        Assert.True(recorded.ChargedAmount > 0);
    }

    [Fact]
    public async Task PostChat_NonStreaming_ResponseCarriesCostAsExactNumberAndRequestId()
    {
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", Json("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requestId = Assert.Single(response.Headers.GetValues("x-request-id"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var cost = body.RootElement.GetProperty("usage").GetProperty("cost");
        Assert.Equal(JsonValueKind.Number, cost.ValueKind);
        var recorded = Assert.Single(await UsageAsync());
        Assert.Equal(requestId, recorded.RequestId);
        Assert.Equal(recorded.ChargedAmount, cost.GetDecimal());
    }

    [Fact]
    public async Task PostChat_StreamWithoutIncludeUsage_OmitsUsageChunkButStillMeters()
    {
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            Json("""{"model":"tg-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var sse = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("\"usage\"", sse);
        Assert.EndsWith("data: [DONE]\n\n", sse);
        var recorded = Assert.Single(await UsageAsync());
        Assert.True(recorded.Tokens.OutputTokens > 0);
    }

    [Fact]
    public async Task CompleteChat_MaxTokensSet_BackendHonoursCapAndReportsLength()
    {
        var chat = _app.OpenAi().GetChatClient("tg-mini");

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Write a long answer")],
            new ChatCompletionOptions { MaxOutputTokenCount = 3 });

        Assert.Equal(3, completion.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
    }

    [Fact]
    public async Task CompleteChat_BadKey_ThrowsUnauthorizedInvalidApiKey()
    {
        var chat = _app.OpenAi("tg_000000000000_0000000000000000000000000000000000000000").GetChatClient("tg-mini");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(401, error.Status);
        Assert.Contains("invalid_api_key", error.GetRawResponse()!.Content.ToString());
    }

    private async Task<IReadOnlyList<UsageEvent>> UsageAsync() =>
        await _app.Services.GetRequiredService<IUsageQueries>().ListAsync(new UsageFilter());

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
