using Tollgate.Billing.Pricing;

namespace Tollgate.Billing.Economics;

/// <summary>A proposed change: new rates for some models, new monthly prices for some plans.</summary>
public sealed record Proposal(IReadOnlyDictionary<string, TokenRates> Prices, IReadOnlyDictionary<string, decimal> PlanPrices);

/// <summary>A customer's period as it was and as the proposal would have made it; cost to serve does not change.</summary>
public sealed record ReplayCustomer(string CustomerId, decimal CurrentRevenue, decimal ProposedRevenue, decimal CostToServe)
{
    public decimal Difference => ProposedRevenue - CurrentRevenue;

    public decimal CurrentMargin => CurrentRevenue - CostToServe;

    public decimal ProposedMargin => ProposedRevenue - CostToServe;
}

public sealed record ReplayResult(IReadOnlyList<ReplayCustomer> Customers, decimal CurrentRevenue, decimal ProposedRevenue, decimal CostToServe, int PayMore, int PayLess, int Unchanged)
{
    public decimal CurrentMargin => CurrentRevenue - CostToServe;

    public decimal ProposedMargin => ProposedRevenue - CostToServe;
}

/// <summary>
/// Re-prices a period's actual usage and fees under a proposal. Usage of a re-priced model is
/// charged what its tokens and requests cost at the new rates, in the same proportion to list price
/// as it was charged (so usage inside a subscription allowance stays free); fees of a re-priced plan
/// scale with the plan's price (so proration is kept).
/// </summary>
public static class PriceReplay
{
    public static ReplayResult Run(IEnumerable<UsageLine> usage, IEnumerable<(string CustomerId, string? PlanId, decimal Amount)> fees,
        IReadOnlyDictionary<string, decimal> currentPlanPrices, Proposal proposal)
    {
        var customers = new SortedDictionary<string, ReplayCustomer>(StringComparer.Ordinal);
        void Add(string customer, decimal current, decimal proposed, decimal cost)
        {
            var row = customers.GetValueOrDefault(customer) ?? new ReplayCustomer(customer, 0, 0, 0);
            customers[customer] = row with
            {
                CurrentRevenue = row.CurrentRevenue + current,
                ProposedRevenue = row.ProposedRevenue + proposed,
                CostToServe = row.CostToServe + cost,
            };
        }
        foreach (var u in usage)
            Add(u.CustomerId, u.ChargedAmount, proposal.Prices.TryGetValue(u.ModelId, out var rates) ? Reprice(u, rates) : u.ChargedAmount, u.CostToServe);
        foreach (var (customer, plan, amount) in fees)
        {
            var proposed = amount;
            if (plan is not null && proposal.PlanPrices.TryGetValue(plan, out var price) && currentPlanPrices.GetValueOrDefault(plan) is var current && current > 0)
                proposed = Round(amount * price / current);
            Add(customer, amount, proposed, 0);
        }
        var rows = customers.Values.ToList();
        return new ReplayResult(rows, rows.Sum(r => r.CurrentRevenue), rows.Sum(r => r.ProposedRevenue), rows.Sum(r => r.CostToServe),
            rows.Count(r => r.Difference > 0), rows.Count(r => r.Difference < 0), rows.Count(r => r.Difference == 0));
    }

    /// <summary>The line's tokens and requests at the new rates, charged in the same proportion to list price as before.</summary>
    public static decimal Reprice(UsageLine line, TokenRates rates)
    {
        var list = (rates with { RequestFee = 0 }).AmountFor(line.Tokens) + rates.RequestFee * line.Requests;
        if (line.ChargedAmount == line.ListAmount) return list;
        return line.ListAmount == 0 ? 0 : Round(line.ChargedAmount * list / line.ListAmount);
    }

    private static decimal Round(decimal amount) => Math.Round(amount, Shares.Decimals, MidpointRounding.AwayFromZero);
}
