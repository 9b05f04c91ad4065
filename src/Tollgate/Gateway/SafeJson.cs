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

    /// <summary>
    /// True when a string or name escapes half a surrogate pair (<c>\ud800</c> alone): valid JSON
    /// syntax, but no text, so it can be neither counted nor forwarded. Only bodies holding a
    /// surrogate escape at all are read through.
    /// </summary>
    public static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        if (!MayHoldSurrogateEscape(json)) return false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped) _ = reader.GetString();
            }
        }
        catch (InvalidOperationException)
        {
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        return false;
    }

    private static bool MayHoldSurrogateEscape(ReadOnlySpan<byte> json)
    {
        while (json.IndexOf("\\u"u8) is var at and >= 0)
        {
            json = json[(at + 2)..];
            if (json.Length >= 2 && (json[0] | 0x20) == 'd' && json[1] is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F'))
                return true;
        }
        return false;
    }
}
