using System.Text.Json;

namespace Tollgate.Cli;

/// <summary>
/// What an audit entry changed, in one line for a table: the fields whose values differ between
/// before and after. The whole documents stay available through <c>--json</c>.
/// </summary>
internal static class AuditChanges
{
    public static string Describe(JsonElement? before, JsonElement? after)
    {
        if (IsAbsent(before)) return IsAbsent(after) ? "" : "created";
        if (IsAbsent(after)) return "removed";
        if (before!.Value.ValueKind != JsonValueKind.Object || after!.Value.ValueKind != JsonValueKind.Object) return "changed";
        var old = before.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText(), StringComparer.Ordinal);
        var changed = after.Value.EnumerateObject()
            .Where(p => !old.TryGetValue(p.Name, out var was) || was != p.Value.GetRawText())
            .Select(p => $"{p.Name}: {Short(old.GetValueOrDefault(p.Name))} → {Short(p.Value.GetRawText())}")
            .ToList();
        return changed.Count == 0 ? "no change" : string.Join("; ", changed);
    }

    private static bool IsAbsent(JsonElement? element) => element is null || element.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    /// <summary>Nested documents (a model's backends) would swamp the table: they are named, not printed.</summary>
    private static string Short(string? json) => json is null ? "(none)" : json.Length <= 40 ? json : json[..37] + "...";
}
