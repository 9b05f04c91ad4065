using System.CommandLine;
using Tollgate.Admin;
using Tollgate.Subscriptions;

namespace Tollgate.Cli;

/// <summary><c>tollgate plans list|show|put</c> and <c>tollgate subscriptions show|start|change|cancel|resume</c>.</summary>
internal static class SubscriptionCommands
{
    private static readonly Column<PlanDocument>[] PlanColumns =
    [
        Column<PlanDocument>.Id("ID", p => p.Id ?? ""),
        new("Name", p => Cell.Text(p.Name)),
        Column<PlanDocument>.Right("Monthly", p => Cell.Money(p.MonthlyPrice)),
        new("Models", p => Cell.Text(string.Join(", ", p.Models ?? []))),
        new("Windows", p => Cell.Text(string.Join(", ", (p.Windows ?? []).Select(w => $"{w.Name} {w.Size}u")))),
        new("Overage", p => Cell.Text(p.Overage + (p.DowngradeModel is { } d ? $" → {d}" : ""))),
    ];

    private static readonly Column<WindowDto>[] WindowColumns =
    [
        Column<WindowDto>.Id("Window", w => w.Name),
        new("Model", w => Cell.Text(w.Model ?? "all")),
        Column<WindowDto>.Right("Used", w => Cell.Number(w.Used)),
        Column<WindowDto>.Right("Size", w => Cell.Number(w.Size)),
        Column<WindowDto>.Right("Left", w => Cell.Number(w.Remaining)),
        new("Resets", w => w.ResetsAt is { } at ? Cell.Time(at) : "at next use"),
    ];

    public static Command[] Create(ClientVerbs cli)
    {
        var planId = CliOptions.Id("plan-id", "The plan's id.");
        var file = new Option<FileInfo>("--file") { Description = "The plan as JSON (name, monthly_price, models, windows, model_weights, unit_size, overage, downgrade_model).", Required = true };
        var customer = CliOptions.Id("customer-id", "The customer's id (cus_…).");
        var plan = new Option<string>("--plan") { Description = "The plan's id.", Required = true };
        var trial = new Option<int?>("--trial-days") { Description = "Days of trial before the first fee (default none)." };

        var plans = cli.Group("plans", "Subscription plans: monthly price, allowance windows in units, model weights, overage policy.",
            cli.Verb("list", "List plans.", async call =>
                call.Output.List(await call.GetAsync("plans"), CliJson.Default.ApiListPlanDocument, PlanColumns, p => p.Id ?? "", "plans")),
            cli.Verb("show", "Show one plan.", async call =>
                call.Output.Result(await call.GetAsync(VerbCall.Path("plans", call.Get(planId))), SubscriptionJson.Default.PlanDocument,
                    p => call.Output.Table([p], PlanColumns, $"Plan {p.Id}")), planId),
            cli.Verb("put", "Create or replace a plan from a JSON file (see docs/api-reference.md for its shape).", async call =>
            {
                var path = call.Require(file);
                if (!path.Exists) throw CliFailure.Invalid($"No such file: {path.FullName}.");
                var response = await call.SendAsync(HttpMethod.Put, VerbCall.Path("plans", call.Get(planId)), await File.ReadAllTextAsync(path.FullName));
                call.Output.Result(response, SubscriptionJson.Default.PlanDocument, p =>
                {
                    call.Output.Success($"Saved plan {p.Id}.");
                    call.Output.Table([p], PlanColumns);
                });
            }, planId, file));

        var subscriptions = cli.Group("subscriptions", "A customer's subscription: show, start, change plan, cancel at period end, resume.",
            cli.Verb("show", "Show the customer's subscription and what is left in each window.", async call =>
                call.Output.Result(await call.GetAsync(Path(call, customer)), AdminJson.Default.SubscriptionDto, s => Show(call, s)), customer),
            cli.Posting("start", "Subscribe the customer to a plan (the first month's fee is prorated by seconds, after any trial).", async call =>
            {
                var body = new SubscriptionRequest(call.Require(plan), call.Get(trial));
                var response = await call.SendAsync(HttpMethod.Post, Path(call, customer), body, AdminJson.Default.SubscriptionRequest);
                call.Output.Result(response, AdminJson.Default.SubscriptionDto, s => Show(call, s, $"Subscribed {s.CustomerId} to {s.Plan}."));
            }, customer, plan, trial),
            cli.Posting("change", "Change plan: a dearer one now (the difference prorated), a cheaper one at period end.", async call =>
            {
                var body = new SubscriptionRequest(call.Require(plan), null);
                var response = await call.SendAsync(HttpMethod.Post, Path(call, customer) + "/change", body, AdminJson.Default.SubscriptionRequest);
                call.Output.Result(response, AdminJson.Default.SubscriptionDto, s => Show(call, s,
                    s.NextPlan is { } next ? $"{next} starts at the end of the period." : $"Now on {s.Plan}."));
            }, customer, plan),
            cli.Posting("cancel", "Cancel at the end of the current period.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, Path(call, customer) + "/cancel", "{}");
                call.Output.Result(response, AdminJson.Default.SubscriptionDto, s => Show(call, s, $"Ends at {Cell.Time(s.PeriodEnd)}."));
            }, customer),
            cli.Posting("resume", "Undo a cancellation before the period ends.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, Path(call, customer) + "/resume", "{}");
                call.Output.Result(response, AdminJson.Default.SubscriptionDto, s => Show(call, s, "Renews at the end of the period."));
            }, customer));
        return [plans, subscriptions];
    }

    private static string Path(VerbCall call, Argument<string> customer) => VerbCall.Path("customers", call.Get(customer)) + "/subscription";

    private static void Show(VerbCall call, SubscriptionDto s, string? done = null)
    {
        if (done is not null) call.Output.Success(done);
        call.Output.Details($"Subscription {s.Id}",
            ("Customer", Cell.Text(s.CustomerId)),
            ("Plan", $"{Cell.Text(s.PlanName)} ({s.Plan}), {Cell.Money(s.MonthlyPrice)}/month"),
            ("Status", Cell.Text(s.Status)),
            ("Period", $"{Cell.Time(s.PeriodStart)} to {Cell.Time(s.PeriodEnd)}"),
            ("Trial ends", s.TrialEnd is { } t ? Cell.Time(t) : Cell.None),
            ("At period end", s.CancelAtPeriodEnd ? "cancels" : s.NextPlan is { } next ? $"moves to {next}" : "renews"));
        call.Output.Table(s.Windows, WindowColumns, "Allowance (units)");
    }
}
