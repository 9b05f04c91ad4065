using Tollgate.Admin;
using Tollgate.Limits;

namespace Tollgate.Cli;

/// <summary>How the budgets and rate limits verbs show what a customer or key is limited by after a change.</summary>
internal static class SpendLimitView
{
    public static string RateLimits(RateLimits? limits) => limits is null
        ? "[dim]none of its own[/]"
        : string.Join(", ", new[]
        {
            limits.RequestsPerMinute is { } rpm ? $"{Cell.Number(rpm)} requests/min" : null,
            limits.TokensPerMinute is { } tpm ? $"{Cell.Number(tpm)} tokens/min" : null,
            limits.Concurrency is { } concurrent ? $"{Cell.Number(concurrent)} concurrent" : null,
        }.Where(part => part is not null));

    public static void Customer(VerbCall call, CustomerDto customer, string done)
    {
        call.Output.Success(done);
        call.Output.Details($"Customer {customer.Id}",
            ("Name", Cell.Text(customer.Name)),
            ("Billing mode", Cell.Text(customer.BillingMode)),
            ("Monthly budget", customer.MonthlyBudget is null ? "[dim]none[/]" : Cell.Money(customer.MonthlyBudget)),
            ("Credit limit", customer.CreditLimit is null ? "[dim]none[/]" : Cell.Money(customer.CreditLimit)),
            ("Rate limits", RateLimits(customer.RateLimits)));
    }

    public static void Key(VerbCall call, KeyDto key, string done)
    {
        call.Output.Success(done);
        call.Output.Details($"API key {key.Id}",
            ("Customer", Cell.Text(key.CustomerId)),
            ("Name", Cell.Text(key.Name)),
            ("Budget", key.Budget is null ? "[dim]none[/]" : $"{Cell.Money(key.Budget)} {Cell.Text(key.BudgetPeriod)}"),
            ("Rate limits", RateLimits(key.RateLimits)));
    }
}
