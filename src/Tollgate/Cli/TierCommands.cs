using System.CommandLine;
using Tollgate.Admin;
using Tollgate.Budgets;

namespace Tollgate.Cli;

/// <summary><c>tollgate tiers list|show|set|clear</c>: the spend tier table, a customer's standing, and the operator's override.</summary>
internal static class TierCommands
{
    private static readonly Column<TierRowDto>[] Columns =
    [
        Column<TierRowDto>.Right("Level", t => Cell.Number(t.Level)),
        new("Name", t => Cell.Text(t.Name)),
        Column<TierRowDto>.Right("Paid", t => Cell.Money(t.MinPaid)),
        Column<TierRowDto>.Right("Age (days)", t => Cell.Number(t.MinAccountAgeDays)),
        Column<TierRowDto>.Right("Requests/min", t => Limit(t.RequestsPerMinute)),
        Column<TierRowDto>.Right("Tokens/min", t => Limit(t.TokensPerMinute)),
        Column<TierRowDto>.Right("Monthly cap", t => t.MonthlySpendCap is null ? "[dim]none[/]" : Cell.Money(t.MonthlySpendCap)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var customer = CliOptions.Id("customer-id", "The customer's id (cus_…).");
        var level = new Option<int>("--level") { Description = "The tier's number, as 'tiers list' shows it (0 is the lowest).", Required = true };
        var note = new Option<string>("--note") { Description = "Why (at most 500 characters), kept in the audit log." };

        return cli.Group("tiers", "Spend tiers: the table, a customer's standing, and overriding it.",
            cli.Verb("list", "List the tiers: what each asks (paid spend, account age) and grants (rate limits, monthly spend cap).", async call =>
                call.Output.Result(await call.GetAsync("tiers"), AdminJson.Default.TierTableDto, table =>
                {
                    if (!table.Enabled) call.Output.Note("Spend tiers are off on this server (Tiers:Enabled=false): none of these applies.");
                    call.Output.Table(table.Data, Columns, "Spend tiers");
                })),
            cli.Verb("show", "Show a customer's tier, the next one and what it asks, and this month's spend against the cap.", async call =>
                call.Output.Result(await call.GetAsync(Path(call, customer)), AdminJson.Default.CustomerTierDto, t => Show(call, t)),
                customer),
            cli.Verb("set", "Fix a customer's tier (audited); automatic promotion stops until 'tiers clear'.", async call =>
            {
                var body = new TierOverrideRequest(call.Require(level), call.Get(note));
                var response = await call.SendAsync(HttpMethod.Put, Path(call, customer), body, AdminJson.Default.TierOverrideRequest);
                call.Output.Result(response, AdminJson.Default.CustomerTierDto, t => Show(call, t, $"{t.CustomerId} is now in {t.Current.Name} until cleared."));
            }, customer, level, note),
            cli.Verb("clear", "Remove a customer's override (audited): the tier follows paid spend and account age again.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Delete, Path(call, customer));
                call.Output.Result(response, AdminJson.Default.CustomerTierDto, t => Show(call, t, $"Cleared the override of {t.CustomerId}."));
            }, customer));
    }

    private static string Path(VerbCall call, Argument<string> customer) => VerbCall.Path("customers", call.Get(customer), "tier");

    private static string Limit(int? value) => value is { } v ? Cell.Number(v) : "[dim]none[/]";

    private static string Describe(TierInfo? tier) => tier is null
        ? Cell.None
        : $"{Cell.Text($"{tier.Name} (level {tier.Level})")}: {Limit(tier.RequestsPerMinute)} requests/min, {Limit(tier.TokensPerMinute)} tokens/min, " +
          $"cap {(tier.MonthlySpendCap is null ? "[dim]none[/]" : Cell.Money(tier.MonthlySpendCap))}";

    private static void Show(VerbCall call, CustomerTierDto tier, string? done = null)
    {
        if (done is not null) call.Output.Success(done);
        var requirements = tier.Requirements is { } r
            ? $"{Cell.Money(r.Paid)} paid (now {Cell.Money(r.PaidSoFar)}), {Cell.Number(r.AccountAgeDays)} days old (now {Cell.Number(r.AccountAgeDaysSoFar)})"
            : Cell.None;
        var limits = tier.RateLimits is { } l
            ? $"{Limit(l.RequestsPerMinute)} requests/min, {Limit(l.TokensPerMinute)} tokens/min, {Limit(l.Concurrency)} concurrent"
            : "[dim]none[/]";
        call.Output.Details($"Tier of {tier.CustomerId}",
            ("Current", Describe(tier.Current)),
            ("Override", tier.Override is { } o ? $"[yellow]level {o.Level}[/] since {Cell.Time(o.SetAt)} {Cell.Text(o.Note)}" : "[dim]none (automatic)[/]"),
            ("Automatic level", Cell.Number(tier.AutomaticLevel)),
            ("Next", Describe(tier.Next)),
            ("Next asks", requirements),
            ("Paid so far", Cell.Money(tier.Paid)),
            ("Account age", $"{Cell.Number(tier.AccountAgeDays)} days"),
            ("Spent this month", Cell.Money(tier.SpentThisMonth)),
            ("Cap resets", Cell.Time(tier.ResetsAt)),
            ("Rate limits in force", limits));
    }
}
