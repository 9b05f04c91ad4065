using Tollgate.Billing.Economics;
using Tollgate.Billing.Pricing;

namespace Tollgate.Tests.Billing.Economics;

/// <summary>Both kinds of cost card, and idle cost, against figures worked out by hand.</summary>
public sealed class CostCardGoldenTests
{
    private static readonly DateTimeOffset Ten = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    /// <summary>8 GPUs at $2.50 an hour = $20 an hour, over 25M tokens an hour at 80% = 20M tokens: $1 per million tokens.</summary>
    private static readonly HardwareCost EightGpus = new(2.5m, 8, 25_000_000, 0.8m);

    [Fact]
    public void CostToServe_TokenCard_PricesEachClassAtItsRate()
    {
        var card = new CostCard(1, "b", Ten, new TokenRates(0.1m, 0.05m, 0.2m, 0.001m));

        // 1,000 uncached input × 0.1 + 1,000 cached × 0.05 + 500 output × 0.2, per million, + the request fee.
        Assert.Equal(0.0002500m + 0.001m, card.CostToServe(new TokenUsage(2_000, 1_000, 500)));
        Assert.Equal(CostCardKind.Tokens, card.Kind);
    }

    [Fact]
    public void CostToServe_HardwareCard_SpreadsTheHourOverTheTargetCapacity()
    {
        var card = CostCard.OwnHardware(2, "gpu", Ten, EightGpus);

        Assert.Equal(20m, EightGpus.CostPerHour);
        Assert.Equal(20_000_000m, EightGpus.TokensPerHourAtTarget);
        Assert.Equal(1m, EightGpus.PerMillionTokens);
        Assert.Equal(CostCardKind.Hardware, card.Kind);
        // Every token class costs the same capacity: 1,500 input (500 cached) + 500 output = 2,000 tokens = $0.002.
        Assert.Equal(0.002m, card.CostToServe(new TokenUsage(1_500, 500, 500)));
        // A whole hour at the target utilisation carries exactly the hour's cost.
        Assert.Equal(20m, card.CostToServe(new TokenUsage(12_000_000, 0, 8_000_000)));
    }

    [Theory]
    [InlineData("-1", 1, 1, "0.5", "hourly_cost")]
    [InlineData("1", 0, 1, "0.5", "gpu_count")]
    [InlineData("1", 1, 0, "0.5", "rated_tokens_per_hour")]
    [InlineData("1", 1, 1, "0", "target_utilisation")]
    [InlineData("1", 1, 1, "1.5", "target_utilisation")]
    public void Validate_HardwareOutOfRange_NamesTheField(string hourly, int gpus, long rated, string utilisation, string field)
    {
        var problem = new HardwareCost(decimal.Parse(hourly, System.Globalization.CultureInfo.InvariantCulture), gpus, rated,
            decimal.Parse(utilisation, System.Globalization.CultureInfo.InvariantCulture)).Validate();

        Assert.StartsWith(field + ":", problem);
    }

    [Fact]
    public void Hours_QuietHours_ReportTheUnusedHardwareAsIdle()
    {
        var cards = new[] { CostCard.OwnHardware(1, "gpu", Ten, EightGpus) };
        var attributed = new Dictionary<DateTimeOffset, decimal> { [Ten] = 20m, [Ten.AddHours(1)] = 5m };

        var hours = IdleCost.Hours(cards, Ten.AddHours(-2), Ten.AddHours(3), attributed);

        // Before the card there is no hardware to account for; a full hour at target is not idle; a quiet hour is mostly idle.
        Assert.Equal([Ten, Ten.AddHours(1), Ten.AddHours(2)], hours.Select(h => h.Hour));
        Assert.Equal([20m, 20m, 20m], hours.Select(h => h.HardwareCost));
        Assert.Equal([0m, 15m, 20m], hours.Select(h => h.Idle));
    }

    [Fact]
    public void Hours_CardChangesMidHour_EachCardCostsItsShareOfTheHour()
    {
        var cheaper = EightGpus with { HourlyCost = 1.25m };
        var cards = new[] { CostCard.OwnHardware(1, "gpu", Ten, EightGpus), CostCard.OwnHardware(2, "gpu", Ten.AddMinutes(30), cheaper) };

        var hour = Assert.Single(IdleCost.Hours(cards, Ten, Ten.AddHours(1), new Dictionary<DateTimeOffset, decimal>()));

        Assert.Equal(20m / 2 + 10m / 2, hour.HardwareCost);
    }

    [Fact]
    public void Hours_TokenCardsOnly_NoIdleCost()
    {
        var cards = new[] { new CostCard(1, "b", Ten, new TokenRates(1, 1, 1)) };

        Assert.Empty(IdleCost.Hours(cards, Ten, Ten.AddHours(5), new Dictionary<DateTimeOffset, decimal>()));
    }
}
