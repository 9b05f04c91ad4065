using System.Globalization;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Pricing;

namespace Tollgate.Billing.Invoices;

/// <summary>
/// Turns a customer's usage rollups and unbilled ledger entries into invoice lines at full
/// precision. Usage lines per model, price version and token class add up exactly to the
/// usage charged; ledger lines bill each entry once, with the sign of what the customer owes.
/// </summary>
public static class InvoiceBuilder
{
    /// <param name="period">The invoice's month; usage of an earlier month is late usage.</param>
    /// <param name="mode">Prepaid charges are shown and then applied from the wallet.</param>
    /// <param name="usage">Rollups billed on this invoice (any number per model and version; they are summed).</param>
    /// <param name="rates">The rates of a price version, or null when it is unknown.</param>
    /// <param name="ledger">Ledger entries not yet on a finalized invoice (usage and payments are ignored).</param>
    /// <param name="commitment">
    /// The period's contract commitment. Until the true-up is in the ledger (it is written when the
    /// invoice is finalized) a draft shows the shortfall so far as a projected true-up line.
    /// </param>
    public static IReadOnlyList<InvoiceLine> Build(
        BillingPeriod period, BillingMode mode, IEnumerable<UsageRollup> usage, Func<long, TokenRates?> rates, IEnumerable<LedgerItem> ledger,
        decimal commitment = 0m)
    {
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentNullException.ThrowIfNull(ledger);
        usage = usage as IReadOnlyCollection<UsageRollup> ?? [.. usage];
        ledger = ledger as IReadOnlyCollection<LedgerItem> ?? [.. ledger];
        var lines = new List<InvoiceLine>();
        var groups = usage
            .GroupBy(u => (u.UsagePeriod, u.ModelId, u.PriceVersion))
            .OrderBy(g => g.Key.UsagePeriod).ThenBy(g => g.Key.ModelId, StringComparer.Ordinal).ThenBy(g => g.Key.PriceVersion);
        foreach (var group in groups)
        {
            var total = Sum(group);
            if (total.Requests == 0 && total.ChargedAmount == 0 && total.ListAmount == 0) continue;
            AddUsageLines(lines, period, group.Key.UsagePeriod, group.Key.ModelId, group.Key.PriceVersion, total,
                group.Key.PriceVersion is { } version ? rates(version) : null);
        }
        foreach (var item in ledger.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id))
        {
            if (LineKindFor(item.Kind, mode) is not { } kind) continue;
            lines.Add(new InvoiceLine(kind, Describe(kind, item), 1, null, -item.Amount)
            {
                LedgerEntryId = item.Id,
                UsagePeriod = kind == InvoiceLineKind.TrueUp ? Contracts.TrueUp.MonthOf(item.Reference) : null,
            });
        }
        var shortfall = Contracts.TrueUp.Shortfall(commitment, UsageCharged(usage, period));
        if (shortfall > 0 && !ledger.Any(e => e.Kind == LedgerEntryKind.TrueUp && Contracts.TrueUp.MonthOf(e.Reference) == period))
        {
            lines.Add(new InvoiceLine(InvoiceLineKind.TrueUp,
                string.Create(CultureInfo.InvariantCulture, $"Commitment true-up (projected until finalized): ${Money.Format(commitment)} committed"),
                1, null, shortfall) { UsagePeriod = period });
        }
        if (mode == BillingMode.Prepaid)
        {
            var charged = lines.Sum(l => l.Amount);
            if (charged != 0) lines.Add(new InvoiceLine(InvoiceLineKind.PrepaidApplied, "Paid from prepaid balance", 1, null, -charged));
        }
        return lines;
    }

    /// <summary>
    /// What a true-up compares with the period's commitment: the usage charges of the period itself billed on the
    /// invoice (after contract pricing; fees are not usage). Late usage of earlier months counts toward their own.
    /// </summary>
    public static decimal UsageCharged(IEnumerable<UsageRollup> usage, BillingPeriod period) => usage.Where(u => u.UsagePeriod == period).Sum(u => u.ChargedAmount);

    /// <summary>Late usage billed on the invoice, per month it happened in.</summary>
    public static IReadOnlyDictionary<BillingPeriod, decimal> LateUsage(IEnumerable<UsageRollup> usage, BillingPeriod period) =>
        usage.Where(u => u.UsagePeriod < period).GroupBy(u => u.UsagePeriod).ToDictionary(g => g.Key, g => g.Sum(u => u.ChargedAmount));

    /// <summary>
    /// Rounds every line to cents, half away from zero. A prepaid invoice's applied-balance line
    /// takes the negated sum of the rounded charges, so what is due stays exactly zero.
    /// </summary>
    public static IReadOnlyList<InvoiceLine> Round(IReadOnlyList<InvoiceLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rounded = new List<InvoiceLine>(lines.Count);
        var sum = 0m;
        foreach (var line in lines)
        {
            if (line.Kind == InvoiceLineKind.PrepaidApplied)
            {
                rounded.Add(line with { Rounded = -sum });
                sum = 0;
                continue;
            }
            var cents = Money.ToCents(line.Amount);
            sum += cents;
            rounded.Add(line with { Rounded = cents });
        }
        return rounded;
    }

    /// <summary>What the invoice asks for: the rounded lines once finalized, the exact amounts before.</summary>
    public static decimal Total(IEnumerable<InvoiceLine> lines) => lines.Sum(l => l.Rounded ?? l.Amount);

    private static void AddUsageLines(List<InvoiceLine> lines, BillingPeriod period, BillingPeriod usagePeriod, string model, long? version,
        UsageRollup total, TokenRates? rates)
    {
        var late = usagePeriod < period ? $"Late usage from {usagePeriod}: " : "";
        var priced = 0m;
        if (rates is not null)
        {
            var priceName = string.Create(CultureInfo.InvariantCulture, $"price v{version}");
            void Add(TokenClass tokenClass, long quantity, decimal unitPrice, decimal amount, string what)
            {
                if (quantity == 0) return;
                priced += amount;
                lines.Add(new InvoiceLine(InvoiceLineKind.Usage, $"{late}{model} {what} ({priceName})", quantity, unitPrice, amount)
                {
                    ModelId = model,
                    PriceVersion = version,
                    TokenClass = tokenClass,
                    UsagePeriod = usagePeriod,
                });
            }
            Add(TokenClass.Input, total.Tokens.UncachedInputTokens, rates.InputPerMillion,
                Money.ForTokens(total.Tokens.UncachedInputTokens, rates.InputPerMillion), "input tokens");
            Add(TokenClass.CachedInput, total.Tokens.CachedInputTokens, rates.CachedInputPerMillion,
                Money.ForTokens(total.Tokens.CachedInputTokens, rates.CachedInputPerMillion), "cached input tokens");
            Add(TokenClass.CacheWrite, total.Tokens.CacheWriteTokens, rates.CacheWriteRate,
                Money.ForTokens(total.Tokens.CacheWriteTokens, rates.CacheWriteRate), "cache write tokens");
            Add(TokenClass.Output, total.Tokens.OutputTokens, rates.OutputPerMillion,
                Money.ForTokens(total.Tokens.OutputTokens, rates.OutputPerMillion), "output tokens");
            if (rates.RequestFee != 0) Add(TokenClass.Request, total.Requests, rates.RequestFee, total.Requests * rates.RequestFee, "requests");
        }
        // Whatever the price card does not explain (an allowance, a capped charge, an unknown
        // version) is its own line, so the usage lines always sum to what was charged.
        var rest = total.ChargedAmount - priced;
        if (rest == 0) return;
        var (kind, what) = rates is null ? (InvoiceLineKind.Usage, "usage") : (InvoiceLineKind.UsageNotCharged, "usage not charged (allowance or cap)");
        lines.Add(new InvoiceLine(kind, $"{late}{model} {what}", total.Requests, null, rest)
        {
            ModelId = model,
            PriceVersion = version,
            UsagePeriod = usagePeriod,
        });
    }

    private static UsageRollup Sum(IEnumerable<UsageRollup> rollups)
    {
        long requests = 0;
        var tokens = TokenUsage.Zero;
        decimal list = 0, charged = 0;
        UsageRollup? first = null;
        foreach (var r in rollups)
        {
            first ??= r;
            requests += r.Requests;
            tokens = tokens.Plus(r.Tokens);
            list += r.ListAmount;
            charged += r.ChargedAmount;
        }
        return first! with { Requests = requests, Tokens = tokens, ListAmount = list, ChargedAmount = charged };
    }

    /// <summary>
    /// Postpaid invoices bill every movement of the account but usage (summed above) and payments
    /// (which pay invoices). A prepaid wallet takes grants and credits directly, so only charges appear.
    /// </summary>
    private static InvoiceLineKind? LineKindFor(LedgerEntryKind kind, BillingMode mode) => kind switch
    {
        // Rounding entries are billed only by the rounding line of the invoice that booked them.
        LedgerEntryKind.Rounding => null,
        LedgerEntryKind.SubscriptionFee => InvoiceLineKind.SubscriptionFee,
        LedgerEntryKind.TrueUp => InvoiceLineKind.TrueUp,
        _ when mode == BillingMode.Prepaid => null,
        LedgerEntryKind.Discount => InvoiceLineKind.Discount,
        LedgerEntryKind.Adjustment => InvoiceLineKind.Adjustment,
        LedgerEntryKind.CreditNote => InvoiceLineKind.CreditNote,
        LedgerEntryKind.Grant => InvoiceLineKind.Credit,
        LedgerEntryKind.Expiry => InvoiceLineKind.Expiry,
        _ => null,
    };

    private static string Describe(InvoiceLineKind kind, LedgerItem item) => kind switch
    {
        InvoiceLineKind.SubscriptionFee => "Subscription fee",
        InvoiceLineKind.TrueUp => "Commitment true-up",
        InvoiceLineKind.Discount => "Discount",
        InvoiceLineKind.Adjustment => "Adjustment",
        InvoiceLineKind.CreditNote => "Credit note",
        InvoiceLineKind.Credit => "Credit granted",
        InvoiceLineKind.Expiry => "Unused credit expired",
        _ => kind.ToString(),
    } + $" ({item.Reference})";
}
