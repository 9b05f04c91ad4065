using Tollgate.Billing;
using Tollgate.Billing.Pricing;

namespace Tollgate.Admin;

/// <summary>Reads price and cost cards given as decimal strings, dollars per million tokens.</summary>
internal static class RatesParser
{
    /// <summary>
    /// <c>input</c> is required; cached input defaults to input, output and the request fee to zero;
    /// cache writes stay unset (then priced at the input rate, whatever input later becomes on this
    /// card); none may exceed <paramref name="max"/>.
    /// </summary>
    public static TokenRates? Read(RatesDto dto, string param, decimal max, out ApiErrorResult? error)
    {
        var input = Rate(dto.Input, "input", null, param, max, out error);
        if (error is not null) return null;
        var output = Rate(dto.Output, "output", 0m, param, max, out error);
        if (error is not null) return null;
        var cached = Rate(dto.CachedInput, "cached_input", input, param, max, out error);
        if (error is not null) return null;
        var fee = Rate(dto.RequestFee, "request_fee", 0m, param, max, out error);
        if (error is not null) return null;
        decimal? cacheWrite = dto.CacheWrite is null ? null : Rate(dto.CacheWrite, "cache_write", null, param, max, out error);
        return error is null ? new TokenRates(input, cached, output, fee, cacheWrite) : null;
    }

    public static RatesView View(long version, DateTimeOffset effectiveFrom, TokenRates rates) => new(
        version, effectiveFrom, Money.Format(rates.InputPerMillion), Money.Format(rates.CachedInputPerMillion),
        Money.Format(rates.OutputPerMillion), Money.Format(rates.RequestFee), FormatOptional(rates.CacheWritePerMillion));

    /// <summary>A rate the card may leave unset: null then, so a reader sees it follows input.</summary>
    public static string? FormatOptional(decimal? rate) => rate is { } set ? Money.Format(set) : null;

    private static decimal Rate(string? text, string name, decimal? fallback, string param, decimal max, out ApiErrorResult? error)
    {
        error = null;
        if (text is null && fallback is { } value) return value;
        if (Money.TryParse(text, out var rate) && Money.IsValidRate(rate) && rate <= max) return rate;
        error = ApiErrorResult.Invalid(
            $"'{param}.{name}' must be a non-negative decimal string with at most 6 decimals (dollars per million tokens){MoneyBounds.AtMost(max)}.", $"{param}.{name}");
        return 0;
    }
}
