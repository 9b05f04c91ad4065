namespace Tollgate.Admin;

// Unit economics on the wire: money, rates, percentages and token counts that can be fractional are decimal strings.

internal sealed record MarginRowDto(string Group, long Requests, string UsageRevenue, string SubscriptionRevenue, string PromotionalDiscount, string Revenue,
    string CostToServe, string GrossMargin, string? MarginPercent);

internal sealed record IdleHourDto(DateTimeOffset Hour, string HardwareCost, string Attributed, string Idle);

internal sealed record IdleBackendDto(string BackendId, string ModelId, int Hours, string HardwareCost, string Attributed, string Idle,
    IReadOnlyList<IdleHourDto>? HourlyDetail = null);

/// <summary><c>from</c> and <c>to</c> are UTC days, <c>to</c> exclusive.</summary>
internal sealed record MarginsDto(string GroupBy, string From, string To, IReadOnlyList<MarginRowDto> Data, MarginRowDto Total, string IdleCost,
    string MarginAfterIdle, IReadOnlyList<IdleBackendDto> Idle);

internal sealed record IdleDto(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<IdleBackendDto> Data);

internal sealed record SubscriberDto(string CustomerId, string PlanId, long Requests, long Tokens, string Fees, string UsageRevenue, string PromotionalDiscount,
    string Revenue, string CostToServe, string Margin, string? CostPercent, bool Unprofitable);

internal sealed record PlanResultDto(string PlanId, int Subscribers, int Unprofitable, string Revenue, string CostToServe, string Margin, string? MarginPercent);

internal sealed record CostBucketDto(string CostShareOfRevenue, int Subscribers);

internal sealed record SubscribersDto(string Period, int Subscribers, int Unprofitable, string? UnprofitablePercent, IReadOnlyList<CostBucketDto> Distribution,
    IReadOnlyList<PlanResultDto> Plans, IReadOnlyList<SubscriberDto> Heaviest, IReadOnlyList<SubscriberDto> Data);

internal sealed record BreakEvenRequest(string? PlanPrice, string? CostPerMtok, long? TokensPerQuery);

/// <summary>Null counts mean tokens cost nothing: no usage ever loses money.</summary>
internal sealed record BreakEvenDto(string PlanPrice, string CostPerMtok, long TokensPerQuery, string CostPerQuery, long? QueriesPerMonth, long? TokensPerMonth,
    string? QueriesPerDay);

/// <summary>Give <c>price_per_mtok</c> (usage billed per token) or <c>plan_price</c> (a flat monthly price for that usage). Changes are percent a month.</summary>
internal sealed record ScenarioRequest(int? Months, string? CostPerMtok, string? TokensPerMonth, string? PricePerMtok = null, string? PlanPrice = null,
    string? PriceChange = null, string? CostChange = null, string? UsageGrowth = null);

internal sealed record ScenarioMonthDto(int Month, string Price, string CostPerMtok, string Tokens, string Revenue, string Cost, string Margin, string? MarginPercent,
    string CumulativeMargin);

/// <summary><c>first_loss_month</c> is the first month whose margin is negative, if any.</summary>
internal sealed record ScenarioDto(string Pricing, int Months, string PriceChange, string CostChange, string UsageGrowth, IReadOnlyList<ScenarioMonthDto> Data,
    string Revenue, string Cost, string Margin, int? FirstLossMonth);

/// <summary>A proposal replayed over a past period (default: last month): new rates per model, new monthly prices per plan.</summary>
internal sealed record ReplayRequest(string? Period, Dictionary<string, RatesDto>? Prices, Dictionary<string, string>? PlanPrices);

internal sealed record ReplayCustomerDto(string CustomerId, string CurrentRevenue, string ProposedRevenue, string Difference, string CostToServe,
    string CurrentMargin, string ProposedMargin);

internal sealed record ReplayDto(string Period, IReadOnlyList<ReplayCustomerDto> Data, string CurrentRevenue, string ProposedRevenue, string CostToServe,
    string CurrentMargin, string ProposedMargin, int PayMore, int PayLess, int Unchanged);
