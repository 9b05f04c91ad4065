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

    /// <summary>
    /// The first field an object gives twice, as a path (<c>rate_limits.concurrency</c>,
    /// <c>backends[1].id</c>), looking into nested objects and arrays when <paramref name="nested"/>;
    /// null when there is none. A field given twice could be read one way here and another way by
    /// whoever reads the body next (which copy wins differs between parsers).
    /// </summary>
    public static string? FirstDuplicate(JsonElement element, bool nested) => FirstDuplicate(element, nested, "");

    private static string? FirstDuplicate(JsonElement element, bool nested, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                var name = property.Name.Length > 100 ? property.Name[..100] : property.Name;
                var at = path.Length == 0 ? name : $"{path}.{name}";
                if (!seen.Add(property.Name)) return at;
                if (nested && FirstDuplicate(property.Value, nested, at) is { } inner) return inner;
            }
        }
        else if (nested && element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                if (FirstDuplicate(item, nested, $"{path}[{index++}]") is { } inner) return inner;
            }
        }
        return null;
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
