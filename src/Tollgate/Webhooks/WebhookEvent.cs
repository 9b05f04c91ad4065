using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tollgate.Hosting;
using Tollgate.Security;

namespace Tollgate.Webhooks;

/// <summary>
/// One event in the outbox. <see cref="Payload"/> is the exact body every delivery sends and
/// signs: <c>{"id","type","created","data"}</c>. An <see cref="IdempotencyKey"/> makes the event
/// happen once: a second event with the same key is dropped, across restarts and nodes.
/// </summary>
internal sealed record WebhookEvent(string Id, string Type, string Payload, DateTimeOffset CreatedAt, string? IdempotencyKey)
{
    public static WebhookEvent Create<T>(string type, T data, JsonTypeInfo<T> dataType, DateTimeOffset createdAt, string? idempotencyKey = null)
    {
        var id = RandomText.Id("evt_", 24);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JsonWriting.Options))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("type", type);
            writer.WriteString("created", createdAt);
            writer.WritePropertyName("data");
            JsonSerializer.Serialize(writer, data, dataType);
            writer.WriteEndObject();
        }
        return new WebhookEvent(id, type, Encoding.UTF8.GetString(buffer.WrittenSpan), createdAt, idempotencyKey);
    }
}
