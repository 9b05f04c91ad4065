using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Pricing;

namespace Tollgate.Tests.Billing;

/// <summary>
/// Random usage streams through the pure invoice builder: what events charged, what the ledger
/// took and what the invoice's usage lines bill are one amount, and rounding moves it by at most
/// half a cent per line.
/// </summary>
public sealed class InvoiceBuilderPropertyTests
{
    private static readonly BillingPeriod Period = new(2026, 10);

    /// <summary>One request: model, price version (0 = a version no card is known for), months late, tokens, and whether an allowance halved its charge.</summary>
    public sealed record Request(int Model, int Version, int MonthsLate, int Day, long Uncached, long Cached, long Output, bool Allowance);

    public sealed record Stream(BillingMode Mode, IReadOnlyDictionary<long, TokenRates> Rates, IReadOnlyList<Request> Requests, IReadOnlyList<LedgerItem> Ledger);

    private static readonly Gen<decimal> Rate = Gen.Choose(0, 100_000_000).Select(micro => micro / 1_000_000m);

    private static readonly Gen<TokenRates> Rates =
        from input in Rate
        from cached in Rate
        from output in Rate
        from feeTenths in Gen.Choose(0, 10_000)
        from hasFee in Gen.Elements(true, false)
        select new TokenRates(input, cached, output, hasFee ? feeTenths / 100_000m : 0m);

    private static readonly Gen<Request> Requests =
        from model in Gen.Choose(0, 2)
        from version in Gen.Choose(0, 3)
        from late in Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Choose(1, 2)))
        from day in Gen.Choose(1, 28)
        from uncached in Gen.Choose(0, 3_000_000)
        from cached in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(0, 1_000_000)))
        from output in Gen.Choose(0, 2_000_000)
        from allowance in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new Request(model, version, late, day, uncached, cached, output, allowance);

    private static readonly Gen<LedgerItem> LedgerItems =
        from kind in Gen.Elements(LedgerEntryKind.Grant, LedgerEntryKind.Payment, LedgerEntryKind.SubscriptionFee, LedgerEntryKind.Discount,
            LedgerEntryKind.Adjustment, LedgerEntryKind.CreditNote, LedgerEntryKind.Expiry)
        from cents in Gen.Choose(-100_000, 100_000)
        from micro in Gen.Choose(0, 999_999)
        from minute in Gen.Choose(0, 40_000)
        select new LedgerItem(0, kind, cents / 100m + micro / 100_000_000m, "ref", Period.Start.AddMinutes(minute));

    private static readonly Arbitrary<Stream> Streams = (
        from mode in Gen.Elements(BillingMode.Prepaid, BillingMode.Postpaid)
        from rates in Gen.ArrayOf(Rates, 3)
        from requests in Gen.ListOf(Requests).Select(r => r.ToArray())
        from ledger in Gen.ListOf(LedgerItems).Select(l => l.ToArray())
        select new Stream(mode, new Dictionary<long, TokenRates> { [1] = rates[0], [2] = rates[1], [3] = rates[2] }, requests,
            [.. ledger.Select((item, i) => item with { Id = i + 1 })])).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Build_RandomUsageStream_EventsEqualLedgerEqualUsageLines() => Prop.ForAll(Streams, stream =>
    {
        var charges = stream.Requests.Select(r => Charge(stream, r)).ToList();
        var usageLedger = charges.Select(c => -c).ToList();

        var lines = InvoiceBuilder.Build(Period, stream.Mode, Rollups(stream, charges), v => stream.Rates.GetValueOrDefault(v), stream.Ledger);

        var events = charges.Sum();
        Assert.Equal(events, -usageLedger.Sum());
        Assert.Equal(events, lines.Where(l => l.IsUsage).Sum(l => l.Amount));
        // Each usage line says what it is: priced lines are quantity × unit price exactly.
        foreach (var line in lines.Where(l => l.TokenClass is { } c && c != TokenClass.Request))
            Assert.Equal(Money.ForTokens((long)line.Quantity, line.UnitPrice!.Value), line.Amount);
        var billedLedger = stream.Mode == BillingMode.Prepaid
            ? stream.Ledger.Where(e => e.Kind is LedgerEntryKind.SubscriptionFee or LedgerEntryKind.TrueUp)
            : stream.Ledger.Where(e => e.Kind is not (LedgerEntryKind.Payment or LedgerEntryKind.Usage));
        var owed = events - billedLedger.Sum(e => e.Amount);
        Assert.Equal(stream.Mode == BillingMode.Prepaid ? 0m : owed, InvoiceBuilder.Total(lines));
    });

    [Property(MaxTest = 300)]
    public Property Round_RandomUsageStream_WithinHalfACentPerLineOfExact() => Prop.ForAll(Streams, stream =>
    {
        var charges = stream.Requests.Select(r => Charge(stream, r)).ToList();
        var exact = InvoiceBuilder.Build(Period, stream.Mode, Rollups(stream, charges), v => stream.Rates.GetValueOrDefault(v), stream.Ledger);

        var rounded = InvoiceBuilder.Round(exact);

        Assert.Equal(exact.Count, rounded.Count);
        foreach (var (before, after) in exact.Zip(rounded))
        {
            Assert.Equal(before with { Rounded = null }, after with { Rounded = null });
            Assert.Equal(decimal.Round(after.Rounded!.Value, 2), after.Rounded.Value);
            if (after.Kind != InvoiceLineKind.PrepaidApplied) Assert.True(Math.Abs(after.Rounded.Value - before.Amount) <= 0.005m, $"{before} rounded to {after.Rounded}");
        }
        var drift = Math.Abs(InvoiceBuilder.Total(rounded) - InvoiceBuilder.Total(exact));
        Assert.True(drift <= 0.005m * exact.Count, $"rounded total is {drift} away from the exact total over {exact.Count} lines");
        // A prepaid invoice is settled from the wallet: nothing is due, exactly, before or after rounding.
        if (stream.Mode == BillingMode.Prepaid) Assert.Equal(0m, InvoiceBuilder.Total(rounded));
    });

    [Property(MaxTest = 500)]
    public Property BillingPeriod_FormatThenParse_SameMonth() => Prop.ForAll(
        (from year in Gen.Choose(1970, 9998) from month in Gen.Choose(1, 12) select new BillingPeriod(year, month)).ToArbitrary(), period =>
        {
            var text = period.ToString();

            Assert.Matches(@"^\d{4}-\d{2}$", text);
            Assert.Equal(period, BillingPeriod.Parse(text));
            Assert.Equal(period, BillingPeriod.Of(period.Start));
            Assert.Equal(period, BillingPeriod.Of(period.End.AddTicks(-1)));
            Assert.Equal(period, period.Next.Previous);
        });

    [Property(MaxTest = 1000)]
    public Property BillingPeriod_ParseThenFormat_SameText() => Prop.ForAll(
        Gen.ArrayOf(Gen.Elements("0123456789-+ x".ToCharArray()), 7).Select(c => new string(c)).ToArbitrary(), text =>
        {
            if (BillingPeriod.TryParse(text, out var period)) Assert.Equal(text, period.ToString());
        });

    /// <summary>What the gateway would have charged: the price card's amount, halved inside an allowance; a fixed amount when no card is known.</summary>
    private static decimal Charge(Stream stream, Request r)
    {
        if (!stream.Rates.TryGetValue(r.Version, out var rates)) return 0.0123456789m * (r.Model + 1);
        var priced = rates.AmountFor(new TokenUsage(r.Uncached + r.Cached, r.Cached, r.Output));
        return r.Allowance ? priced / 2 : priced;
    }

    /// <summary>Rollups as the usage writer keeps them: one row per model, version, month and day.</summary>
    private static IEnumerable<UsageRollup> Rollups(Stream stream, IReadOnlyList<decimal> charges) =>
        stream.Requests.Zip(charges)
            .GroupBy(x => (x.First.Model, x.First.Version, x.First.MonthsLate, x.First.Day))
            .Select(g => new UsageRollup(
                $"model-{g.Key.Model}", g.Key.Version == 0 ? null : g.Key.Version,
                g.Key.MonthsLate == 0 ? Period : g.Key.MonthsLate == 1 ? Period.Previous : Period.Previous.Previous,
                g.Count(),
                new TokenUsage(g.Sum(x => x.First.Uncached + x.First.Cached), g.Sum(x => x.First.Cached), g.Sum(x => x.First.Output)),
                g.Sum(x => x.Second), g.Sum(x => x.Second)));
}
