using System.Text.Json;

namespace Tollgate.Gateway;

/// <summary>
/// Reads JSON that a client or a backend may have filled with anything. <see cref="JsonElement"/>'s
/// own TryGet methods throw on a string or an object, which would turn a malformed field into a 500
/// (or, inside a relayed stream, a response that is never metered).
/// </summary>
internal static class SafeJson
{
    public static bool TryReadInt32(this JsonElement element, out int value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value);
    }

    public static bool TryReadInt64(this JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }

    /// <summary>True when <paramref name="json"/> is exactly one well-formed JSON object with a top-level <paramref name="property"/>.</summary>
    public static bool IsObjectWith(ReadOnlySpan<byte> json, ReadOnlySpan<byte> property)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            var found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                found |= reader.ValueTextEquals(property);
                reader.Read();
                reader.Skip();
            }
            return found && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
