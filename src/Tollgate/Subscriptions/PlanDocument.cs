using System.Text.Json;
using System.Text.Json.Serialization;
using Tollgate.Billing;
using Tollgate.Billing.Subscriptions;
using Tollgate.Storage;

namespace Tollgate.Subscriptions;

/// <summary>A plan as the admin API takes and shows it, and as it is stored (snake_case JSON, money as a decimal string).</summary>
internal sealed record PlanDocument(
    string? Id,
    string? Name,
    string? MonthlyPrice,
    IReadOnlyList<string>? Models,
    IReadOnlyList<WindowDocument>? Windows,
    IReadOnlyDictionary<string, long>? ModelWeights,
    long? UnitSize,
    string? Overage,
    string? DowngradeModel)
{
    public const long DefaultUnitSize = 1000;

    public static PlanDocument From(Plan plan) => new(
        plan.Id, plan.Name, Money.Format(plan.MonthlyPrice), plan.Models,
        [.. plan.Windows.Select(w => new WindowDocument(w.Name, StoredNames.Of(w.Kind), w.Kind == WindowKind.Calendar ? null : (long)w.Duration.TotalMinutes, w.Size, w.Model))],
        plan.ModelWeights, plan.UnitSize, StoredNames.Of(plan.Overage), plan.DowngradeModel);

    /// <summary>The plan, or the message and parameter of the first thing wrong with the document.</summary>
    public (Plan? Plan, string? Error, string? Param) ToPlan(string id)
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200) return (null, "'name' (1 to 200 characters) is required.", "name");
        if (!Money.TryParse(MonthlyPrice, out var price)) return (null, "'monthly_price' must be a decimal string of dollars.", "monthly_price");
        var overage = OveragePolicy.Block;
        if (Overage is not null && !StoredNames.TryParse(Overage, out overage)) return (null, "'overage' must be block, downgrade or metered.", "overage");
        var windows = new List<AllowanceWindow>();
        foreach (var w in Windows ?? [])
        {
            if (!StoredNames.TryParse<WindowKind>(w.Kind, out var kind)) return (null, "Each window's 'kind' must be session, rolling or calendar.", "windows");
            if (kind != WindowKind.Calendar && w.DurationMinutes is null) return (null, $"Window '{w.Name}' needs 'duration_minutes'.", "windows");
            windows.Add(new AllowanceWindow(w.Name ?? "", kind, TimeSpan.FromMinutes(w.DurationMinutes ?? 0), w.Size ?? 0, w.Model));
        }
        var plan = new Plan(id, Name, price, Models ?? [], windows, ModelWeights ?? new Dictionary<string, long>(), UnitSize ?? DefaultUnitSize, overage,
            DowngradeModel);
        return plan.Validate() is { } invalid ? (null, $"Invalid plan: {invalid}.", invalid.Split(':')[0]) : (plan, null, null);
    }

    public string ToJson() => JsonSerializer.Serialize(this, SubscriptionJson.Default.PlanDocument);

    public static PlanDocument Parse(string json) =>
        JsonSerializer.Deserialize(json, SubscriptionJson.Default.PlanDocument) ?? throw new InvalidDataException("A stored plan is empty.");
}

/// <summary><c>duration_minutes</c> for session and rolling windows (e.g. 300 for five hours); calendar windows follow UTC months.</summary>
internal sealed record WindowDocument(string? Name, string? Kind, long? DurationMinutes, long? Size, string? Model);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PlanDocument))]
internal sealed partial class SubscriptionJson : JsonSerializerContext;
