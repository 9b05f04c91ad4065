using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary><c>tollgate invoices run|list|show|finalize|pay|void|export</c>: the monthly invoices and what happens to them.</summary>
internal static class InvoiceCommands
{
    private static readonly string[] Statuses = ["draft", "finalized", "paid", "void"];

    private static readonly Column<InvoiceDto>[] Columns =
    [
        Column<InvoiceDto>.Id("ID", i => i.Id),
        new("Number", i => Cell.Text(i.Number)),
        new("Customer", i => Cell.Text(i.CustomerId)),
        new("Period", i => Cell.Text(i.Period)),
        new("Billing", i => Cell.Text(i.BillingMode)),
        new("Status", i => Cell.Status(i.Status)),
        Column<InvoiceDto>.Right("Total", i => Cell.Money(i.Total)),
        Column<InvoiceDto>.Right("Paid", i => Cell.Money(i.AmountPaid)),
        Column<InvoiceDto>.Right("Due", i => Cell.Money(i.AmountDue)),
        new("Finalized", i => Cell.Time(i.FinalizedAt)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var paging = PageOptions.Standard("invoice id");
        var id = CliOptions.Id("invoice-id", "The invoice's id (inv_…), as 'invoices list' shows.");
        var customer = new Option<string>("--customer") { Description = "Only this customer's invoices.", HelpName = "customer-id" };
        var period = new Option<string>("--period") { Description = "Only invoices of this month (YYYY-MM).", HelpName = "YYYY-MM" };
        var status = CliOptions.OneOf("--status", "Only invoices in this state: draft, finalized, paid or void.", Statuses);
        var amount = new Option<string>("--amount") { Description = "The amount received, in dollars and cents (\"120.50\").", Required = true, HelpName = "dollars" };
        var reference = new Option<string>("--reference")
        {
            Description = "The payment's own reference, such as a bank transfer id; recording the same reference again changes nothing.",
            Required = true,
        };
        var reason = new Option<string>("--reason") { Description = "Why the invoice is void (1 to 500 characters); shown on the credit note.", Required = true };

        return cli.Group("invoices", "Monthly invoices: run a period, list, show, finalize, record payments, void, export.",
            InvoiceRunVerb.Create(cli),
            cli.Verb("list", "List invoices, newest period first (without their lines).", async call =>
            {
                var query = paging.Query(call)
                    .Add("customer_id", call.Get(customer))
                    .Add("period", call.Get(period))
                    .Add("status", call.Get(status));
                call.Output.List(await call.GetAsync("invoices", query), CliJson.Default.ApiListInvoiceDto, Columns, i => i.Id, "invoices");
            }, [customer, period, status, .. paging.Symbols]),
            cli.Verb("show", "Show an invoice: its header, lines and payments.", async call =>
                call.Output.Result(await call.GetAsync(VerbCall.Path("invoices", call.Get(id))), AdminJson.Default.InvoiceDto, i => InvoiceView.Show(call, i)),
                id),
            cli.Posting("finalize", "Finalize a draft once its month has ended: lines are rounded to cents and the invoice gets its number.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("invoices", call.Get(id), "finalize"));
                call.Output.Result(response, AdminJson.Default.InvoiceDto, i => InvoiceView.Show(call, i, $"Finalized invoice {i.Id} as {i.Number}."));
            }, id),
            cli.Posting("pay", "Record a payment against a finalized invoice; it is paid once the total is covered.", async call =>
            {
                var body = new PaymentRequest(call.Require(amount), call.Require(reference));
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("invoices", call.Get(id), "payments"), body, AdminJson.Default.PaymentRequest);
                call.Output.Result(response, AdminJson.Default.InvoiceDto, i => InvoiceView.Show(call, i, $"Recorded payment {body.Reference} on invoice {i.Number}."));
            }, id, amount, reference),
            cli.Posting("void", "Void a finalized, unpaid invoice: a credit note is issued and the month can be invoiced again.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("invoices", call.Get(id), "void"),
                    new VoidRequest(call.Require(reason)), AdminJson.Default.VoidRequest);
                call.Output.Result(response, AdminJson.Default.InvoiceDto, i => InvoiceView.Show(call, i, $"Voided invoice {i.Number} with credit note {i.CreditNoteNumber}."));
            }, id, reason),
            InvoiceExportVerb.Create(cli, id));
    }
}
