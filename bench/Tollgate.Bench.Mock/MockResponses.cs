using System.Text;

namespace Tollgate.Bench.Mock;

/// <summary>
/// Every byte the mock sends, built once at start-up: a chat completion of 20 tokens with its
/// usage, and the same completion as 20 stream events plus the usage-only event OpenAI sends
/// when <c>stream_options.include_usage</c> is set.
/// </summary>
internal static class MockResponses
{
    public const int PromptTokens = 12;
    public const int CompletionTokens = 20;
    private const string Id = "chatcmpl-bench";
    private const long Created = 1_700_000_000;
    private const string Model = "bench-model";
    private const string Usage = """{"prompt_tokens":12,"completion_tokens":20,"total_tokens":32}""";

    public static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        $$"""{"id":"{{Id}}","object":"chat.completion","created":{{Created}},"model":"{{Model}}","choices":[{"index":0,"message":{"role":"assistant","content":"{{Text()}}"},"finish_reason":"stop"}],"usage":{{Usage}}}""");

    /// <summary>One SSE event per token; the last carries <c>finish_reason</c>.</summary>
    public static readonly byte[][] StreamChunks = [.. Enumerable.Range(0, CompletionTokens).Select(StreamChunk)];

    public static readonly byte[] UsageChunk = Event(
        $$"""{"id":"{{Id}}","object":"chat.completion.chunk","created":{{Created}},"model":"{{Model}}","choices":[],"usage":{{Usage}}}""");

    public static readonly byte[] Done = Encoding.UTF8.GetBytes("data: [DONE]\n\n");

    public static readonly byte[] NotFound = Encoding.UTF8.GetBytes(
        """{"error":{"message":"The mock serves only POST /v1/chat/completions.","type":"invalid_request_error","param":null,"code":null}}""");

    private static string Token(int index) => $"tok{index} ";

    private static string Text() => string.Concat(Enumerable.Range(0, CompletionTokens).Select(Token));

    private static byte[] StreamChunk(int index)
    {
        var delta = index == 0 ? $$"""{"role":"assistant","content":"{{Token(index)}}"}""" : $$"""{"content":"{{Token(index)}}"}""";
        var finish = index == CompletionTokens - 1 ? "\"stop\"" : "null";
        return Event($$"""{"id":"{{Id}}","object":"chat.completion.chunk","created":{{Created}},"model":"{{Model}}","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finish}}}]}""");
    }

    private static byte[] Event(string json) => Encoding.UTF8.GetBytes($"data: {json}\n\n");
}
