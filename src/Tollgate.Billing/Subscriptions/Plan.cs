namespace Tollgate.Billing.Subscriptions;

/// <summary>What happens when a request does not fit the allowance. Stored by name (frozen by a test).</summary>
public enum OveragePolicy
{
    /// <summary>429 <c>allowance_exhausted</c>, saying when the window resets.</summary>
    Block,

    /// <summary>Served by the plan's cheaper model, billed at that model's price.</summary>
    Downgrade,

    /// <summary>Charged at the price card against the wallet or invoice, through the normal reservation.</summary>
    Metered,
}

/// <summary>How an allowance window opens and resets. Stored by name (frozen by a test).</summary>
public enum WindowKind
{
    /// <summary>Opens at the first request and lasts its duration.</summary>
    Session,

    /// <summary>A sliding window over the last duration.</summary>
    Rolling,

    /// <summary>Resets at each UTC month boundary.</summary>
    Calendar,
}

/// <summary>An allowance of <see cref="Size"/> units; for one model when <see cref="Model"/> is set, else for all the plan's models.</summary>
public sealed record AllowanceWindow(string Name, WindowKind Kind, TimeSpan Duration, long Size, string? Model = null)
{
    public bool Applies(string model) => Model is null || string.Equals(Model, model, StringComparison.Ordinal);
}

/// <summary>
/// A subscription plan: a monthly price against allowance windows counted in units. Units per
/// request = model weight × max(1, ⌈input tokens ÷ unit size⌉), fixed at admission.
/// </summary>
public sealed record Plan(
    string Id,
    string Name,
    decimal MonthlyPrice,
    IReadOnlyList<string> Models,
    IReadOnlyList<AllowanceWindow> Windows,
    IReadOnlyDictionary<string, long> ModelWeights,
    long UnitSize,
    OveragePolicy Overage,
    string? DowngradeModel = null)
{
    public bool Includes(string model) => Models.Contains(model, StringComparer.Ordinal);

    public long Weight(string model) => ModelWeights.TryGetValue(model, out var weight) ? weight : 1;

    public long Units(string model, long inputTokens) => Weight(model) * Math.Max(1, (inputTokens + UnitSize - 1) / UnitSize);

    /// <summary>Names the first invalid field, with why; null when the plan is consistent.</summary>
    public string? Validate()
    {
        if (MonthlyPrice < 0 || decimal.Round(MonthlyPrice, 6) != MonthlyPrice) return "monthly_price: a non-negative amount with at most 6 decimals";
        if (Models.Count == 0) return "models: at least one model";
        if (UnitSize < 1) return "unit_size: at least 1 input token";
        if (Windows.Count == 0) return "windows: at least one allowance window";
        foreach (var window in Windows)
        {
            if (string.IsNullOrWhiteSpace(window.Name)) return "windows: every window needs a name";
            if (window.Size < 1) return $"windows[{window.Name}].size: at least 1 unit";
            if (window.Kind != WindowKind.Calendar && (window.Duration < TimeSpan.FromMinutes(1) || window.Duration > TimeSpan.FromDays(31)))
                return $"windows[{window.Name}].duration: from 1 minute to 31 days";
            if (window.Model is { } model && !Includes(model)) return $"windows[{window.Name}].model: '{model}' is not one of the plan's models";
        }
        if (Windows.Select(w => w.Name).Distinct(StringComparer.Ordinal).Count() != Windows.Count) return "windows: names must be unique";
        foreach (var (model, weight) in ModelWeights)
        {
            if (weight < 1) return $"model_weights[{model}]: at least 1";
        }
        if (Overage == OveragePolicy.Downgrade && string.IsNullOrEmpty(DowngradeModel)) return "downgrade_model: required with the downgrade policy";
        if (Overage != OveragePolicy.Downgrade && DowngradeModel is not null) return "downgrade_model: only with the downgrade policy";
        return null;
    }
}
