using Microsoft.Extensions.Options;
using Tollgate.Billing;

namespace Tollgate.Admin;

/// <summary>
/// The largest amounts an admin may enter. Code defaults, then configuration (<c>Money</c>), then
/// validation at start. Every bound is at most <see cref="Ceiling"/>, so sums of any realistic number
/// of amounts, and a price times any request's tokens, stay far inside a decimal's range.
/// </summary>
internal sealed record MoneyBounds
{
    public const string Section = "Money";

    /// <summary>No bound may be set above $10^15.</summary>
    public const decimal Ceiling = 1_000_000_000_000_000m;

    public const decimal DefaultBound = 1_000_000_000m;

    /// <summary>One credit grant.</summary>
    public decimal MaxGrant { get; init; } = DefaultBound;

    /// <summary>A price or cost rate (dollars per million tokens), a per-request fee, an hourly hardware cost.</summary>
    public decimal MaxPrice { get; init; } = DefaultBound;

    /// <summary>A postpaid customer's credit limit.</summary>
    public decimal MaxCreditLimit { get; init; } = DefaultBound;

    /// <summary>A customer's or key's budget.</summary>
    public decimal MaxBudget { get; init; } = DefaultBound;

    /// <summary>Amounts read back from storage were bounded when they were entered; only the ceiling applies to them.</summary>
    public static readonly MoneyBounds Stored = new() { MaxGrant = Ceiling, MaxPrice = Ceiling, MaxCreditLimit = Ceiling, MaxBudget = Ceiling };

    /// <summary>The text after a field's rule, e.g. " (at most $1000000000)".</summary>
    public static string AtMost(decimal bound) => $" (at most ${Money.Format(bound)})";
}

internal sealed class MoneyBoundsValidator : IValidateOptions<MoneyBounds>
{
    public ValidateOptionsResult Validate(string? name, MoneyBounds options)
    {
        List<string> failures = [];
        foreach (var (key, value) in new[]
                 {
                     (nameof(MoneyBounds.MaxGrant), options.MaxGrant), (nameof(MoneyBounds.MaxPrice), options.MaxPrice),
                     (nameof(MoneyBounds.MaxCreditLimit), options.MaxCreditLimit), (nameof(MoneyBounds.MaxBudget), options.MaxBudget),
                 })
        {
            if (value <= 0 || value > MoneyBounds.Ceiling)
                failures.Add($"{MoneyBounds.Section}:{key} must be above 0 and at most {Money.Format(MoneyBounds.Ceiling)}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
