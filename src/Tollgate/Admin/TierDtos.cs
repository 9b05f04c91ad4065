using Tollgate.Budgets;

namespace Tollgate.Admin;

/// <summary>Sets a customer's tier by its number in the table (0 is the lowest); the note says why, for the audit log.</summary>
internal sealed record TierOverrideRequest(int? Level, string? Note);

internal sealed record TierOverrideDto(int Level, string? Note, DateTimeOffset SetAt);

/// <summary>
/// A customer's standing: the tier in force, the next and what it asks, the override if any (and
/// the tier promotion alone would give), the monthly spend cap's use, and the customer scope's
/// rate limits in force (explicit ones, each missing one filled from the tier).
/// </summary>
internal sealed record CustomerTierDto(
    string CustomerId,
    TierInfo Current,
    TierInfo? Next,
    TierRequirements? Requirements,
    bool Overridden,
    TierOverrideDto? Override,
    int AutomaticLevel,
    string Paid,
    int AccountAgeDays,
    string SpentThisMonth,
    DateTimeOffset ResetsAt,
    Limits.RateLimits? RateLimits);

/// <summary>The tier table in force: each tier's number, what it asks and what it grants.</summary>
internal sealed record TierTableDto(bool Enabled, IReadOnlyList<TierRowDto> Data);

internal sealed record TierRowDto(int Level, string Name, string MinPaid, int MinAccountAgeDays, int? RequestsPerMinute, int? TokensPerMinute, string? MonthlySpendCap);
