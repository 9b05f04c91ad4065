namespace Tollgate.Storage;

/// <summary>
/// Enum values are stored by name in snake_case. The names are part of the stored format:
/// a test freezes them, so renaming a member never silently orphans rows.
/// </summary>
internal static class StoredNames
{
    public static string Of<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static T Parse<T>(string stored) where T : struct, Enum =>
        TryParse<T>(stored, out var value) ? value : throw new InvalidDataException($"Unknown stored {typeof(T).Name} '{stored}'.");

    public static bool TryParse<T>(string? stored, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Of(candidate), stored, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}
