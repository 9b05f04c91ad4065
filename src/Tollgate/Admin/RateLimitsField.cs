using Tollgate.Limits;

namespace Tollgate.Admin;

/// <summary>Reads rate limits: absent keeps the current ones, <c>{}</c> removes them, each given limit is an integer from 1 to <see cref="Max"/>.</summary>
internal static class RateLimitsField
{
    public const int Max = 1_000_000_000;

    public static bool TryRead(RateLimits? given, RateLimits? current, out RateLimits? value, out ApiErrorResult? error)
    {
        error = null;
        value = current;
        if (given is null) return true;
        foreach (var (name, limit) in (ReadOnlySpan<(string, int?)>)[
                     ("requests_per_minute", given.RequestsPerMinute), ("tokens_per_minute", given.TokensPerMinute), ("concurrency", given.Concurrency)])
        {
            if (limit is < 1 or > Max)
            {
                error = ApiErrorResult.Invalid($"'rate_limits.{name}' must be an integer from 1 to {Max}, or left out for no limit.", $"rate_limits.{name}");
                return false;
            }
        }
        value = given.IsEmpty ? null : given;
        return true;
    }
}
