using System.Buffers;
using System.Text.Json;
using Tollgate.Catalog;
using Tollgate.Upstreams;

namespace Tollgate.Gateway;

/// <summary>
/// Rewrites only what metering needs and forwards every other field untouched: the model name
/// the backend knows, the output cap (so the backend cannot exceed what is billed for), and
/// <c>stream_options.include_usage</c> on streaming requests only (OpenAI rejects it otherwise).
/// </summary>
internal static class UpstreamBody
{
    public static byte[] For(GatewayRequest request, BackendEntry backend)
    {
        var root = request.Body.RootElement;
        var isChat = request.Operation == ModelOperation.ChatCompletions;
        var capField = backend.Settings.CapParameter;
        var buffer = new ArrayBufferWriter<byte>(request.BodyBytes + 128);
        using (var w = new Utf8JsonWriter(buffer, Hosting.JsonWriting.Options))
        {
            w.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("model"))
                {
                    w.WriteString("model", backend.Settings.UpstreamModel ?? request.Model.Id);
                }
                else if (isChat && (property.NameEquals("max_tokens") || property.NameEquals("max_completion_tokens")))
                {
                    // Replaced by the one cap field this backend understands, written below.
                }
                else if (isChat && request.Stream && property.NameEquals("stream_options"))
                {
                    // Merged below with include_usage.
                }
                else
                {
                    property.WriteTo(w);
                }
            }
            if (isChat)
            {
                w.WriteNumber(capField, request.OutputCap);
                if (request.Stream) WriteStreamOptions(w, root);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteStreamOptions(Utf8JsonWriter w, JsonElement root)
    {
        w.WriteStartObject("stream_options");
        if (root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object)
        {
            foreach (var option in options.EnumerateObject())
            {
                if (!option.NameEquals("include_usage")) option.WriteTo(w);
            }
        }
        w.WriteBoolean("include_usage", true);
        w.WriteEndObject();
    }
}
