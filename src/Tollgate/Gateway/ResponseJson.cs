using System.Buffers;
using System.Text.Json;
using Tollgate.Billing;
using Tollgate.Storage;

namespace Tollgate.Gateway;

/// <summary>
/// Rewrites a backend's JSON for the client: <c>model</c> becomes the public id, and <c>usage</c>
/// carries the billed numbers and <c>cost</c>, the charged amount as a JSON number written
/// exactly from the decimal. Everything else passes through as the backend wrote it.
/// </summary>
internal static class ResponseJson
{
    public static void Write(IBufferWriter<byte> output, JsonElement root, GatewayRequest request, bool withUsage)
    {
        using var w = new Utf8JsonWriter(output, Hosting.JsonWriting.Options);
        w.WriteStartObject();
        var wroteUsage = false;
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("model"))
            {
                w.WriteString("model", request.Model.Id);
            }
            else if (property.NameEquals("usage"))
            {
                if (!withUsage || property.Value.ValueKind == JsonValueKind.Null) continue;
                WriteUsage(w, property.Value, request);
                wroteUsage = true;
            }
            else
            {
                property.WriteTo(w);
            }
        }
        if (withUsage && !wroteUsage) WriteUsage(w, default, request);
        w.WriteEndObject();
    }

    /// <summary>
    /// The backend's usage object with <c>cost</c> added; when the tokens were counted by the
    /// gateway instead, the counted numbers replace the backend's, so what is shown is what is billed.
    /// </summary>
    private static void WriteUsage(Utf8JsonWriter w, JsonElement backendUsage, GatewayRequest request)
    {
        w.WriteStartObject("usage");
        if (request.UsageSource == UsageSource.Backend && backendUsage.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in backendUsage.EnumerateObject())
            {
                if (!field.NameEquals("cost")) field.WriteTo(w);
            }
        }
        else
        {
            var usage = request.Usage;
            w.WriteNumber("prompt_tokens", usage.InputTokens);
            if (request.Operation != Upstreams.ModelOperation.Embeddings) w.WriteNumber("completion_tokens", usage.OutputTokens);
            w.WriteNumber("total_tokens", usage.TotalTokens);
            if (request.Operation != Upstreams.ModelOperation.Embeddings)
            {
                w.WriteStartObject("prompt_tokens_details");
                w.WriteNumber("cached_tokens", usage.CachedInputTokens);
                w.WriteEndObject();
                w.WriteStartObject("completion_tokens_details");
                w.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
                w.WriteEndObject();
            }
        }
        w.WritePropertyName("cost");
        w.WriteRawValue(Money.Format(request.ChargedAmount), skipInputValidation: true);
        w.WriteEndObject();
    }
}
