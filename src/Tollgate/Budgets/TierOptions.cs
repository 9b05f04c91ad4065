using Microsoft.Extensions.Options;

namespace Tollgate.Budgets;

/// <summary>
/// The spend tier table. Code defaults (OpenAI's usage tiers: free, then tiers 1–5 by paid spend
/// and account age), then configuration (<c>Tiers</c>), then validation at start.
/// </summary>
internal sealed record TierOptions
{
    public const string Section = "Tiers";

    /// <summary>Off: no tier limits, no spend caps, and <c>tier</c> in <c>/v1/account</c> is null.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// The tiers, lowest first; the first is where every customer starts. Null keeps the default
    /// table: the configuration binder would merge a configured list into a default one by index.
    /// </summary>
    public TierLevel[]? Levels { get; init; }

    /// <summary>How often paid totals are read again from the ledger, so payments recorded anywhere promote without a restart.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    public IReadOnlyList<TierLevel> Table => Levels is { Length: > 0 } configured ? configured : Defaults;

    /// <summary>
    /// OpenAI's qualifications (tier 1 after $5 paid; 2 after $50 and 7 days; 3 after $100 and 7
    /// days; 4 after $250 and 14 days; 5 after $1,000 and 30 days) and monthly usage limits; the
    /// rate limits are of the same order as OpenAI's for a small model.
    /// </summary>
    public static readonly TierLevel[] Defaults =
    [
        new() { Name = "free", MinPaid = 0m, MinAccountAgeDays = 0, RequestsPerMinute = 60, TokensPerMinute = 200_000, MonthlySpendCap = 100m },
        new() { Name = "tier 1", MinPaid = 5m, MinAccountAgeDays = 0, RequestsPerMinute = 500, TokensPerMinute = 2_000_000, MonthlySpendCap = 100m },
        new() { Name = "tier 2", MinPaid = 50m, MinAccountAgeDays = 7, RequestsPerMinute = 5_000, TokensPerMinute = 4_000_000, MonthlySpendCap = 500m },
        new() { Name = "tier 3", MinPaid = 100m, MinAccountAgeDays = 7, RequestsPerMinute = 5_000, TokensPerMinute = 10_000_000, MonthlySpendCap = 1_000m },
        new() { Name = "tier 4", MinPaid = 250m, MinAccountAgeDays = 14, RequestsPerMinute = 10_000, TokensPerMinute = 20_000_000, MonthlySpendCap = 5_000m },
        new() { Name = "tier 5", MinPaid = 1_000m, MinAccountAgeDays = 30, RequestsPerMinute = 30_000, TokensPerMinute = 150_000_000, MonthlySpendCap = 200_000m },
    ];
}

/// <summary>
/// One row of the tier table: what qualifies (paid spend — payments and purchased grants, never
/// promotional credit — and account age) and what it grants (rate limits and a monthly spend
/// cap; a null field is not limited).
/// </summary>
internal sealed record TierLevel
{
    public string Name { get; init; } = "";

    public decimal MinPaid { get; init; }

    public int MinAccountAgeDays { get; init; }

    public int? RequestsPerMinute { get; init; }

    public int? TokensPerMinute { get; init; }

    public decimal? MonthlySpendCap { get; init; }
}

internal sealed class TierOptionsValidator : IValidateOptions<TierOptions>
{
    public ValidateOptionsResult Validate(string? name, TierOptions options)
    {
        List<string> failures = [];
        var table = options.Table;
        if (table.Count > 32) failures.Add("Tiers:Levels may have at most 32 tiers.");
        if (table[0].MinPaid != 0 || table[0].MinAccountAgeDays != 0)
            failures.Add("Tiers:Levels:0 is where every customer starts: its MinPaid and MinAccountAgeDays must be 0.");
        for (var i = 0; i < table.Count; i++)
        {
            var level = table[i];
            var at = $"Tiers:Levels:{i}";
            if (string.IsNullOrWhiteSpace(level.Name) || level.Name.Length > 50) failures.Add($"{at}:Name is required (at most 50 characters).");
            if (level.MinPaid < 0 || level.MinAccountAgeDays < 0) failures.Add($"{at}: MinPaid and MinAccountAgeDays must not be negative.");
            if (level.RequestsPerMinute is < 1 || level.TokensPerMinute is < 1) failures.Add($"{at}: rate limits must be positive, or left out for none.");
            if (level.MonthlySpendCap is < 0) failures.Add($"{at}:MonthlySpendCap must not be negative, or left out for none.");
            if (i > 0 && (level.MinPaid < table[i - 1].MinPaid || level.MinAccountAgeDays < table[i - 1].MinAccountAgeDays))
                failures.Add($"{at}: each tier must ask at least as much paid spend and account age as the one below it.");
        }
        if (table.Select(l => l.Name.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Count() != table.Count) failures.Add("Tiers:Levels names must be distinct.");
        if (options.RefreshInterval < TimeSpan.FromSeconds(1)) failures.Add("Tiers:RefreshInterval must be at least one second.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
