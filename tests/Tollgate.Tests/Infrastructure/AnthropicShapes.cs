using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// Anthropic's message, stream event and error shapes (Schemas/anthropic-shapes.json, written
/// from its API reference) as JSON Schema 2020-12, to check what the Messages surface sends.
/// </summary>
internal static class AnthropicShapes
{
    private static readonly Lazy<JsonObject> Definitions = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schemas", "anthropic-shapes.json")))!["schemas"]!.AsObject());

    private static readonly ConcurrentDictionary<string, JsonSchema> Compiled = new(StringComparer.Ordinal);

    public static void AssertValid(string shape, string json)
    {
        var schema = Compiled.GetOrAdd(shape, name => JsonSchema.FromText(new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"https://tollgate.test/anthropic/{name}",
            ["$defs"] = Definitions.Value.DeepClone(),
            ["$ref"] = $"#/$defs/{name}",
        }.ToJsonString()));
        var result = schema.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(result.IsValid, $"Not a valid Anthropic {shape}:\n{string.Join('\n', errors)}\n{json}");
    }
}
