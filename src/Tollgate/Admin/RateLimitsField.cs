using Tollgate.Limits;

namespace Tollgate.Admin;

/// <summary>Reads rate limits: absent keeps the current ones, <c>{}</c> removes them, each given limit is a positive integer.</summary>
internal static class RateLimitsField
{
    public static bool TryRead(RateLimits? given, RateLimits? current, out RateLimits? value, out ApiErrorResult? error)
    {
        error = null;
        value = current;
        if (given is null) return true;
        foreach (var (name, limit) in (ReadOnlySpan<(string, int?)>)[
                     ("requests_per_minute", given.RequestsPerMinute), ("tokens_per_minute", given.TokensPerMinute), ("concurrency", given.Concurrency)])
        {
            if (limit is < 1)
            {
                error = ApiErrorResult.Invalid($"'rate_limits.{name}' must be a positive integer, or left out for no limit.", $"rate_limits.{name}");
                return false;
            }
        }
        value = given.IsEmpty ? null : given;
        return true;
    }
}
