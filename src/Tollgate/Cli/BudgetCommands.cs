using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate budgets customer|key|credit-limit</c>: set or remove the most a customer may spend
/// per month, a key per month or ever, and a postpaid customer's credit limit. A budget set at
/// any time counts all the spend of its period so far.
/// </summary>
internal static class BudgetCommands
{
    private static readonly string[] Periods = ["monthly", "lifetime"];

    public static Command Create(ClientVerbs cli)
    {
        var customer = CliOptions.Id("customer-id", "The customer's id (cus_…).");
        var key = CliOptions.Id("key-id", "The key's id, as 'keys list' shows it.");
        var monthly = new Option<string>("--monthly") { Description = "Dollars the customer may be charged per UTC month, across all its keys.", HelpName = "dollars" };
        var amount = new Option<string>("--amount") { Description = "The limit in dollars.", HelpName = "dollars" };
        var period = CliOptions.OneOf("--period", "monthly (per UTC month; default for a new budget) or lifetime.", Periods);
        var remove = new Option<bool>("--remove") { Description = "Remove the limit instead." };

        return cli.Group("budgets", "Spend limits: a customer's monthly budget, a key's budget, a postpaid customer's credit limit.",
            CustomerLimit(cli, "customer", "Set (--monthly) or remove (--remove) a customer's monthly budget.", customer, monthly, remove, "monthly budget",
                value => new CustomerRequest(null, null, MonthlyBudget: value)),
            cli.Verb("key", "Set (--amount, --period) or remove (--remove) a key's budget.", async call =>
            {
                if (call.Get(remove) && call.Get(period) is not null) throw CliFailure.Invalid("--period has no meaning with --remove.");
                // --period alone switches an existing budget between monthly and lifetime.
                var value = call.Get(period) is not null && call.Get(amount) is null ? null : Value(call, amount, remove, "--amount");
                var response = await call.SendAsync(HttpMethod.Patch, VerbCall.Path("keys", call.Get(key)),
                    new KeyUpdateRequest(null, null, null, null, null, value, call.Get(period)), AdminJson.Default.KeyUpdateRequest);
                call.Output.Result(response, AdminJson.Default.KeyDto, k => SpendLimitView.Key(call, k,
                    value?.Length == 0 ? $"Removed the budget of key {k.Id}." : $"Set the budget of key {k.Id}."));
            }, key, amount, period, remove),
            CustomerLimit(cli, "credit-limit", "Set (--amount) or remove (--remove) how far a postpaid customer may spend before paying.", customer, amount, remove,
                "credit limit", value => new CustomerRequest(null, null, CreditLimit: value)));
    }

    /// <summary>A verb that sets or removes one money limit of a customer.</summary>
    private static Command CustomerLimit(ClientVerbs cli, string name, string description, Argument<string> customer, Option<string> amount, Option<bool> remove,
        string what, Func<string, CustomerRequest> request) =>
        cli.Verb(name, description, async call =>
        {
            var value = Value(call, amount, remove, amount.Name);
            var response = await call.SendAsync(HttpMethod.Patch, VerbCall.Path("customers", call.Get(customer)), request(value), AdminJson.Default.CustomerRequest);
            call.Output.Result(response, AdminJson.Default.CustomerDto, c => SpendLimitView.Customer(call, c,
                value.Length == 0 ? $"Removed the {what} of {c.Id}." : $"Set the {what} of {c.Id}."));
        }, customer, amount, remove);

    /// <summary>The amount, or the API's empty string for "remove"; exactly one of the two must be given.</summary>
    private static string Value(VerbCall call, Option<string> amount, Option<bool> remove, string name)
    {
        var given = call.Get(amount);
        if (call.Get(remove) == (given is not null)) throw CliFailure.Invalid($"Give either {name} <dollars> or --remove.");
        return given ?? "";
    }
}
