using System.Text.Json.Nodes;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// One billing scenario every surface is checked against: model <c>up-chat</c> on a stub backend at
/// $3 in, $0.30 cached, $15 out per million tokens, and a backend reporting 1,000 input tokens (200
/// of them cached) and 500 output.
/// </summary>
internal static class FixedBilling
{
    public const string Model = "up-chat";

    /// <summary>800 × $3 + 200 × $0.30 + 500 × $15, per million.</summary>
    public const decimal Charge = 0.0024m + 0.00006m + 0.0075m;

    /// <summary>Long enough (1,499 bytes) that 1,000 reported input tokens are plausible: a token is at least a byte.</summary>
    public static readonly string Prompt = string.Join(' ', Enumerable.Repeat("hello", 250));

    public static JsonObject Usage() => Stub.Usage(1000, 500, cached: 200);

    /// <summary>Defines <see cref="Model"/> on <paramref name="baseUrl"/>, with a cost card of $1 in and $2 out.</summary>
    public static Task PutModelAsync(TollgateFactory app, string baseUrl) => app.PutModelAsync(Model, JsonNode.Parse($$$"""
        {"kind":"chat","max_output_tokens":4096,
         "backends":[{"id":"up-chat-b1","kind":"open_ai","base_url":"{{{baseUrl}}}","upstream_model":"up-model","cost":{"input":"1","output":"2"}}],
         "price":{"input":"3","cached_input":"0.3","output":"15"}}
        """)!.AsObject());
}
