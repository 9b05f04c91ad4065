using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// OpenAI's published response schemas (Schemas/openai-schemas.json, a copy of
/// <c>shared/openai/schemas.json</c>) as JSON Schema 2020-12. Their <c>$ref</c>s into
/// <c>components.schemas</c> are pointed at <c>$defs</c>; <c>discriminator</c>, <c>x-*</c> and
/// other unknown keywords stay annotations. <c>nullable: true</c> is OpenAPI 3.0's "null is also
/// allowed" and is read that way: as a bare annotation it would reject OpenAI's own chunks, whose
/// <c>finish_reason</c> is null until the last.
/// </summary>
internal static class OpenAiSchemas
{
    private static readonly Lazy<JsonObject> Definitions = new(Load);
    private static readonly ConcurrentDictionary<string, JsonSchema> Compiled = new(StringComparer.Ordinal);

    /// <summary>Asserts that <paramref name="json"/> is a valid <paramref name="schemaName"/>, listing every violation when not.</summary>
    public static void AssertValid(string schemaName, string json)
    {
        var result = For(schemaName).Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? [])
            .Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"));
        Assert.True(result.IsValid, $"Not a valid {schemaName}:\n{string.Join('\n', errors)}\n{json}");
    }

    private static JsonSchema For(string schemaName) => Compiled.GetOrAdd(schemaName, name =>
    {
        Assert.True(Definitions.Value.ContainsKey(name), $"No schema named {name}.");
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"https://tollgate.test/openai/{name}",
            ["$defs"] = Definitions.Value.DeepClone(),
            ["$ref"] = $"#/$defs/{name}",
        };
        return JsonSchema.FromText(root.ToJsonString());
    });

    private static JsonObject Load()
    {
        // Chat's schemas, and the Responses API's (Schemas/openai-responses-schemas.json, a copy of
        // shared/openai/responses-schemas.json): both from one published description, so a name means one schema.
        var merged = new JsonObject();
        foreach (var file in (string[])["openai-schemas.json", "openai-responses-schemas.json"])
        {
            var document = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schemas", file)))!.AsObject();
            foreach (var (name, schema) in document["schemas"]!.AsObject())
            {
                if (!merged.ContainsKey(name)) merged[name] = schema!.DeepClone();
            }
        }
        return (JsonObject)Rewrite(merged);
    }

    private static JsonNode Rewrite(JsonNode node)
    {
        switch (node)
        {
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item) array[i] = Rewrite(item.DeepClone());
                }
                return array;
            case JsonObject schema:
                foreach (var name in schema.Select(p => p.Key).ToList())
                {
                    if (schema[name] is { } child) schema[name] = Rewrite(child.DeepClone());
                }
                if (schema["$ref"] is JsonValue reference && reference.GetValue<string>() is var target && target.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    schema["$ref"] = "#/$defs/" + target["#/components/schemas/".Length..];
                if (schema["nullable"] is JsonValue nullable && nullable.GetValue<bool>())
                {
                    schema.Remove("nullable");
                    return new JsonObject { ["anyOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };
                }
                return schema;
            default:
                return node;
        }
    }
}
