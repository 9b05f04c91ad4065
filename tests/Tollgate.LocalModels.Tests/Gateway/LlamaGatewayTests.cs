using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;
using Tollgate.Catalog;
using Tollgate.LocalModels.Llama;
using Tollgate.LocalModels.Tests.Infrastructure;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using Tollgate.Upstreams.Local;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.LocalModels.Tests.Gateway;

/// <summary>A GGUF model served in-process through the gateway: the tiny hand-written model, the real llama backend.</summary>
public sealed class LlamaGatewayTests : IAsyncLifetime
{
    private const string Model = "tiny";

    private readonly TollgateFactory _app = new();

    public async Task InitializeAsync() => await _app.PutModelAsync(Model, Definition(TinyLlama.ModelPath));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static JsonObject Definition(string path, string backendId = "tiny-local") => new()
    {
        ["kind"] = "chat",
        ["max_output_tokens"] = 64,
        ["backends"] = new JsonArray(new JsonObject
        {
            ["id"] = backendId,
            ["kind"] = "llama",
            ["model_path"] = path,
            ["context_size"] = TinyLlama.ContextLength,
            ["concurrency"] = 1,
            ["queue_length"] = 0,
            ["cost"] = new JsonObject { ["input"] = "0.01", ["output"] = "0.02" },
        }),
        ["price"] = new JsonObject { ["input"] = "1", ["output"] = "2" },
    };

    /// <summary>Bans both end tokens, so only max_tokens or a stop sequence ends the reply.</summary>
    private static string Body(int maxTokens, long seed, string? stop = null, bool stream = false) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["model"] = Model,
        ["messages"] = new[] { new { role = "user", content = "the cat sat on the mat" } },
        ["max_tokens"] = maxTokens,
        ["seed"] = seed,
        ["temperature"] = 0.8,
        ["logit_bias"] = TinyLlama.EndTokens.ToDictionary(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => -100),
        ["stop"] = stop,
        ["stream"] = stream,
    });

    private async Task<JsonElement> CompleteAsync(string body)
    {
        using var http = _app.ApiClient();
        using var response = await http.PostAsync("/v1/chat/completions", JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Complete_MaxTokens_ExactlyThatManyBilledFromTheModelsCounts()
    {
        var json = await CompleteAsync(Body(maxTokens: 20, seed: 11));

        var choice = json.GetProperty("choices")[0];
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(20, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var promptTokens = json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        var usage = Assert.Single(await _app.UsageAsync());
        Assert.Equal((UsageSource.Backend, "tiny-local", (long)promptTokens, 20L), (usage.Source, usage.BackendId, usage.Tokens.InputTokens, usage.Tokens.OutputTokens));
        // $1 per million in, $2 per million out.
        Assert.Equal((promptTokens * 1m + 20 * 2m) / 1_000_000m, usage.ChargedAmount);
    }

    [Fact]
    public async Task Complete_PromptTokens_TheTemplatedPromptInTheModelsTokenizer()
    {
        var json = await CompleteAsync(Body(maxTokens: 1, seed: 1));

        // <s> <|im_start|> "user\n…" <|im_end|> "\n" <|im_start|> "assistant\n": the template was applied and its control tokens parsed.
        using var model = LlamaModel.Load(TinyLlama.ModelPath, new LlamaLoadOptions(TinyLlama.ContextLength));
        var prompt = model.ApplyTemplate([new ChatTurn("user", "the cat sat on the mat")]);
        Assert.Equal(model.CountTokens(prompt) + 1, json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Complete_StopSequence_TextEndsBeforeItWithStop()
    {
        var full = (await CompleteAsync(Body(maxTokens: 40, seed: 5))).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        var stop = full.Substring(full.Length / 2, 3);
        var expected = full[..full.IndexOf(stop, StringComparison.Ordinal)];

        var json = await CompleteAsync(Body(maxTokens: 40, seed: 5, stop: stop));

        var choice = json.GetProperty("choices")[0];
        Assert.Equal((expected, "stop"), (choice.GetProperty("message").GetProperty("content").GetString(), choice.GetProperty("finish_reason").GetString()));
        Assert.True(json.GetProperty("usage").GetProperty("completion_tokens").GetInt32() < 40);
    }

    [Fact]
    public async Task Stream_OfficialSdk_PiecesThenUsageMatchingTheBill()
    {
        var chat = _app.OpenAi().GetChatClient(Model);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 24, Temperature = 0.7f };
        foreach (var token in TinyLlama.EndTokens) options.LogitBiases[token] = -100;

        var pieces = 0;
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("hello world")], options))
        {
            if (update.ContentUpdate.Count > 0) pieces++;
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.InRange(pieces, 1, 24);
        var stored = await _app.SingleUsageEventuallyAsync();
        Assert.True(stored.Streamed);
        Assert.Equal((UsageSource.Backend, 24L), (stored.Source, stored.Tokens.OutputTokens));
        if (usage is not null) Assert.Equal(24, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Complete_QueueFull_503WithRetryAfterThenServedOnceFree()
    {
        var backend = _app.Services.GetRequiredService<CatalogState>().Current.Models[Model].Backends[0];
        var queue = _app.Services.GetRequiredService<LocalQueues>().For(backend);
        var held = await queue.EnterAsync(CancellationToken.None);
        Assert.NotNull(held);

        using var http = _app.ApiClient();
        using (var refused = await http.PostAsync("/v1/chat/completions", JsonBody(Body(maxTokens: 4, seed: 1))))
        {
            await AssertErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "model_overloaded", type: "server_error");
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }
        Assert.Empty(await _app.UsageAsync());

        held!.Dispose();
        await CompleteAsync(Body(maxTokens: 4, seed: 1));
    }

    [Fact]
    public async Task PutModel_GgufPathProblems_400NamingModelPath()
    {
        var notGguf = Path.Combine(_app.DataDir, "not-a-model.bin");
        await File.WriteAllTextAsync(notGguf, "plain text, not a model");
        using var admin = _app.AdminClient();
        foreach (var path in (string[])["/nowhere/model.gguf", "relative/model.gguf", notGguf])
        {
            using var response = await admin.PutAsync("/admin/v1/models/bad", JsonBody(Definition(path).ToJsonString()));
            var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "backends[0].model_path");
            Assert.Contains("model_path", error.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task Complete_FileThatDoesNotLoad_502CarryingLlamaCppsReason()
    {
        var broken = Path.Combine(_app.DataDir, "broken.gguf");
        await File.WriteAllBytesAsync(broken, [.. "GGUF"u8.ToArray(), 3, 0, 0, 0, 0, 0]);
        await _app.PutModelAsync("broken", Definition(broken, "broken-local"));

        using var http = _app.ApiClient();
        using var response = await http.PostAsync("/v1/chat/completions", JsonBody(Body(4, 1).Replace("\"tiny\"", "\"broken\"", StringComparison.Ordinal)));

        var error = await AssertErrorAsync(response, HttpStatusCode.BadGateway, "upstream_unavailable", type: "server_error");
        var message = error.GetProperty("message").GetString();
        Assert.Contains("could not load", message);
        Assert.Contains("llama_model_load", message); // the native log's reason, not only a bare exception

        Assert.Empty(await _app.UsageAsync());
    }
}
