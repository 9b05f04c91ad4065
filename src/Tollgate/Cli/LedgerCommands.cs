using System.CommandLine;
using System.Globalization;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary><c>tollgate ledger list|add</c>: a customer's append-only ledger; a correction is a new entry that names the one it corrects.</summary>
internal static class LedgerCommands
{
    private static readonly string[] Kinds = ["adjustment", "discount", "credit_note"];

    private static readonly Column<LedgerEntryDto>[] Columns =
    [
        Column<LedgerEntryDto>.Right("ID", e => e.Id.ToString(CultureInfo.InvariantCulture)),
        new("At", e => Cell.Time(e.CreatedAt)),
        new("Kind", e => Cell.Text(e.Kind)),
        Column<LedgerEntryDto>.Right("Amount", e => Cell.Money(e.Amount)),
        new("Reference", e => Cell.Text(e.Reference)),
        Column<LedgerEntryDto>.Right("Corrects", e => e.Corrects?.ToString(CultureInfo.InvariantCulture) ?? Cell.None),
        new("Note", e => Cell.Text(e.Note)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var paging = PageOptions.Standard("entry id");
        var customer = CliOptions.Id("customer-id", "The customer's id (cus_…).");
        var kind = CliOptions.OneOf("--kind", "adjustment (either sign), discount or credit_note (both credit the customer).", Kinds);
        kind.Required = true;
        var amount = new Option<string>("--amount")
        {
            Description = "Dollars as a decimal string; positive credits the customer, negative (adjustments only) charges them.",
            Required = true,
            HelpName = "dollars",
        };
        var note = new Option<string>("--note") { Description = "Why (up to 500 characters); shown on the invoice line." };
        var corrects = new Option<long?>("--corrects") { Description = "The id of the entry this one corrects.", HelpName = "entry-id" };

        return cli.Group("ledger", "A customer's ledger: grants, payments, usage, discounts, adjustments, credit notes.",
            cli.Verb("list", "List a customer's ledger entries, oldest first.", async call =>
            {
                var path = VerbCall.Path("customers", call.Get(customer), "ledger");
                call.Output.List(await call.GetAsync(path, paging.Query(call)), CliJson.Default.ApiListLedgerEntryDto, Columns,
                    e => e.Id.ToString(CultureInfo.InvariantCulture), "ledger entries");
            }, [customer, .. paging.Symbols]),
            cli.Posting("add", "Append an adjustment, discount or credit note; the next invoice bills it.", async call =>
            {
                var body = new LedgerEntryRequest(call.Require(kind), call.Require(amount), call.Get(note), call.Get(corrects));
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("customers", call.Get(customer), "ledger"), body,
                    AdminJson.Default.LedgerEntryRequest);
                call.Output.Result(response, AdminJson.Default.LedgerEntryDto, entry =>
                {
                    call.Output.Success($"Added ledger entry {entry.Id} for {entry.CustomerId}.");
                    call.Output.Table([entry], Columns);
                });
            }, customer, kind, amount, note, corrects));
    }
}
