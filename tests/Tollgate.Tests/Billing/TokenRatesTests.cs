using Tollgate.Billing.Pricing;

namespace Tollgate.Tests.Billing;

public sealed class TokenRatesTests
{
    // tg-pro's price card: $2.50 input, $1.25 cached input, $10 output per million tokens.
    private static readonly TokenRates Pro = new(2.50m, 1.25m, 10.00m);

    [Fact]
    public void AmountFor_CachedInput_ChargedAtItsOwnRateAndNotAgainAsInput()
    {
        // 600 uncached at $2.50 + 400 cached at $1.25 + 200 output at $10, per million.
        var amount = Pro.AmountFor(new TokenUsage(InputTokens: 1000, CachedInputTokens: 400, OutputTokens: 200));

        Assert.Equal(0.0015m + 0.0005m + 0.002m, amount);
    }

    [Fact]
    public void AmountFor_AllInputCached_OnlyTheCachedRateApplies() =>
        Assert.Equal(0.00125m, Pro.AmountFor(new TokenUsage(1000, 1000, 0)));

    [Fact]
    public void AmountFor_ReasoningTokens_AreOutputNotExtra() =>
        Assert.Equal(Pro.AmountFor(new TokenUsage(0, 0, 200)), Pro.AmountFor(new TokenUsage(0, 0, 200, ReasoningTokens: 150)));

    [Fact]
    public void AmountFor_RequestFee_AddedOncePerRequest()
    {
        var withFee = Pro with { RequestFee = 0.001m };

        Assert.Equal(Pro.AmountFor(new TokenUsage(1000, 0, 10)) + 0.001m, withFee.AmountFor(new TokenUsage(1000, 0, 10)));
        Assert.Equal(0.001m, withFee.AmountFor(TokenUsage.Zero));
    }

    [Fact]
    public void AmountFor_TinyAndHugeUsage_IsExactInDecimal()
    {
        var rates = new TokenRates(0.000001m, 0.000001m, 999_999.999999m);

        Assert.Equal(0.000000000003m, rates.AmountFor(new TokenUsage(3, 0, 0)));
        Assert.Equal(999_999_999_999m, rates.AmountFor(new TokenUsage(0, 0, 1_000_000_000_000)));
    }

    [Fact]
    public void PriceAndCostCards_ChargeThroughTheirRates()
    {
        var usage = new TokenUsage(1234, 34, 567);
        var price = new PriceCard(3, "tg-pro", DateTimeOffset.UnixEpoch, Pro);
        var cost = new CostCard(5, "tg-pro-sim", DateTimeOffset.UnixEpoch, new TokenRates(0.60m, 0.30m, 2.40m));

        Assert.Equal(1200 * 2.50m / 1_000_000 + 34 * 1.25m / 1_000_000 + 567 * 10m / 1_000_000, price.ListAmount(usage));
        Assert.Equal(1200 * 0.60m / 1_000_000 + 34 * 0.30m / 1_000_000 + 567 * 2.40m / 1_000_000, cost.CostToServe(usage));
    }

    [Theory]
    [InlineData(10, 0, 5, 0, true)]
    [InlineData(10, 10, 5, 5, true)]
    [InlineData(10, 11, 5, 0, false)]
    [InlineData(10, 0, 5, 6, false)]
    [InlineData(-1, 0, 5, 0, false)]
    [InlineData(10, 0, -5, 0, false)]
    public void IsConsistent_SubsetsNeverExceedTheirWhole(long input, long cached, long output, long reasoning, bool consistent) =>
        Assert.Equal(consistent, new TokenUsage(input, cached, output, reasoning).IsConsistent);

    [Fact]
    public void AmountFor_CacheWritesWithTheirOwnRate_PricedAtItNotAgainAsInput()
    {
        var rates = Pro with { CacheWritePerMillion = 3.125m };

        // 500 uncached at $2.50 + 200 cached at $1.25 + 300 written at $3.125 + 100 output at $10, per million.
        var amount = rates.AmountFor(new TokenUsage(1000, 200, 100, CacheWriteTokens: 300));

        Assert.Equal(0.00125m + 0.00025m + 0.0009375m + 0.001m, amount);
    }

    [Fact]
    public void AmountFor_CacheWritesWithoutARate_CostWhatInputCosts() =>
        Assert.Equal(Pro.AmountFor(new TokenUsage(1000, 200, 100)), Pro.AmountFor(new TokenUsage(1000, 200, 100, CacheWriteTokens: 300)));

    [Fact]
    public void Scaled_UnsetCacheWriteRate_StaysUnsetSoItFollowsTheScaledInput()
    {
        var discounted = Pro.Scaled(0.5m);
        var withRate = (Pro with { CacheWritePerMillion = 4m }).Scaled(0.5m);

        Assert.Null(discounted.CacheWritePerMillion);
        Assert.Equal(1.25m, discounted.CacheWriteRate);
        Assert.Equal(2m, withRate.CacheWriteRate);
    }

    [Fact]
    public void WorstCase_CacheWritesDearerThanInput_ReservesEveryInputTokenAtTheCacheWriteRate()
    {
        var rates = Pro with { CacheWritePerMillion = 3.125m };

        Assert.Equal(0.003125m + 0.001m, WorstCase.Amount(rates, inputTokens: 1000, outputCap: 100, choices: 1));
        Assert.True(WorstCase.Amount(rates, 1000, 100, 1) >= rates.AmountFor(new TokenUsage(1000, 0, 100, CacheWriteTokens: 1000)));
    }

    [Fact]
    public void Validate_CacheWriteRateWithSevenDecimalsOrNegative_NamesCacheWrite()
    {
        Assert.Equal("cache_write", (Pro with { CacheWritePerMillion = 0.0000001m }).Validate());
        Assert.Equal("cache_write", (Pro with { CacheWritePerMillion = -1m }).Validate());
        Assert.Null(Pro.Validate());
    }

    [Theory]
    [InlineData(10, 4, 6, true)]
    [InlineData(10, 4, 7, false)]
    [InlineData(10, 0, 11, false)]
    [InlineData(10, 0, -1, false)]
    public void IsConsistent_CachedAndCacheWritesTogetherNeverExceedInput(long input, long cached, long cacheWrites, bool consistent) =>
        Assert.Equal(consistent, new TokenUsage(input, cached, 5, CacheWriteTokens: cacheWrites).IsConsistent);
}
