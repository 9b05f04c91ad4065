using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate reconcile</c>: asks the server to add up every record of usage per customer and month
/// and shows where they disagree; exits <see cref="ExitCodes.Differences"/> if anywhere, so it can gate a cron job.
/// </summary>
internal static class ReconcileCommand
{
    private static readonly Column<ReconciliationRowDto>[] Columns =
    [
        Column<ReconciliationRowDto>.Id("Customer", r => r.CustomerId),
        new("Period", r => Cell.Text(r.Period)),
        Column<ReconciliationRowDto>.Right("Usage events", r => Cell.Money(r.UsageEvents)),
        Column<ReconciliationRowDto>.Right("Ledger", r => Differs(r.LedgerUsage, r.UsageEvents)),
        Column<ReconciliationRowDto>.Right("Rollups", r => Differs(r.Rollups, r.UsageEvents)),
        Column<ReconciliationRowDto>.Right("Invoiced", r => Cell.Money(r.Invoiced)),
        Column<ReconciliationRowDto>.Right("Pending", r => Cell.Money(r.Pending)),
        new("Agrees", r => Cell.YesNo(r.Agrees)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var period = new Option<string>("--period") { Description = "Only this month (YYYY-MM). Default: every month with usage.", HelpName = "YYYY-MM" };
        var all = new Option<bool>("--all") { Description = "Show every customer and month, not only those that differ." };

        return cli.Single("reconcile", "Prove usage events, ledger usage, rollups and invoices agree per customer and month; exit 6 on any difference.", async call =>
        {
            var query = new Query().Add("period", call.Get(period)).Add("all", call.Get(all) ? "true" : null);
            var response = await call.GetAsync("reconcile", query);
            var report = response.Read(AdminJson.Default.ReconciliationDto);
            call.Output.Result(response, AdminJson.Default.ReconciliationDto, r => Show(call, r));
            if (!report.Agrees)
            {
                throw new CliFailure(ExitCodes.Differences,
                    $"{report.Differences.Count} of {report.Rows} customer-months do not agree{(report.Period is { } p ? " in " + p : "")}. " +
                    $"{report.InvoiceDifferences.Count} of {report.InvoicesChecked} finalized invoices differ from the ledger after rounding. " +
                    $"{report.NegativeBalances.Count} prepaid balances went below zero.",
                    hint: "See 'When reconcile reports a difference' in the operator guide.");
            }
        }, period, all);
    }

    private static void Show(VerbCall call, ReconciliationDto report)
    {
        var scope = report.Period is { } p ? $"in {p}" : "over every month";
        if (report.Data is { Count: > 0 } rows) call.Output.Table(rows, Columns, $"Every customer and month {scope}");
        if (report.Differences.Count > 0) call.Output.Table(report.Differences, Columns, $"Differences {scope}");
        if (report.InvoiceDifferences.Count > 0) call.Output.Table(report.InvoiceDifferences, InvoiceColumns, $"Invoices whose rounded total differs from the ledger {scope}");
        if (report.NegativeBalances.Count > 0) call.Output.Table(report.NegativeBalances, NegativeColumns, "Prepaid balances that went below zero");
        if (report.Agrees)
        {
            call.Output.Success($"All {report.Rows:N0} customer-months {scope} agree: usage events, ledger, rollups and invoices (total charged {Cell.Money(report.TotalCharged)}); " +
                $"{report.InvoicesChecked:N0} finalized invoices equal the ledger to the cent, and no prepaid balance was ever below zero.");
        }
    }

    private static readonly Column<InvoiceCheckDto>[] InvoiceColumns =
    [
        Column<InvoiceCheckDto>.Id("Invoice", i => i.Number ?? i.InvoiceId),
        Column<InvoiceCheckDto>.Id("Customer", i => i.CustomerId),
        new("Period", i => i.Period),
        Column<InvoiceCheckDto>.Right("Invoiced", i => Cell.Money(i.Invoiced)),
        Column<InvoiceCheckDto>.Right("Ledger", i => $"[red]{Cell.Money(i.Ledger)}[/]"),
    ];

    private static readonly Column<NegativeBalanceDto>[] NegativeColumns =
    [
        Column<NegativeBalanceDto>.Id("Customer", n => n.CustomerId),
        new("At", n => n.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
        Column<NegativeBalanceDto>.Right("Balance", n => $"[red]{Cell.Money(n.Balance)}[/]"),
    ];

    /// <summary>A record that is not what the usage events say stands out.</summary>
    private static string Differs(string value, string events) => value == events ? Cell.Money(value) : $"[red]{Cell.Money(value)}[/]";
}
