using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary><c>tollgate wallet show|grant</c>: a customer's prepaid balance and the credit grants that fill it.</summary>
internal static class WalletCommands
{
    private static readonly string[] Kinds = ["purchased", "promotional"];

    private static readonly Column<GrantDto>[] GrantColumns =
    [
        Column<GrantDto>.Id("Grant", g => g.Id),
        new("Kind", g => Cell.Text(g.Kind)),
        Column<GrantDto>.Right("Amount", g => Cell.Money(g.Amount)),
        Column<GrantDto>.Right("Remaining", g => Cell.Money(g.Remaining)),
        new("Granted", g => Cell.Time(g.CreatedAt)),
        new("Expires", g => g.Expired ? $"[yellow]expired {Cell.Time(g.ExpiresAt)}[/]" : Cell.Time(g.ExpiresAt)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var customer = CliOptions.Id("customer-id", "The customer's id (cus_…).");
        var amount = new Option<string>("--amount") { Description = "Dollars to add, a decimal such as 25 or 12.50.", Required = true, HelpName = "dollars" };
        var kind = CliOptions.OneOf("--kind", "purchased (paid for: counts towards spend tiers; default) or promotional (a gift, used first).", Kinds);
        var expires = CliOptions.Time("--expires-at", "What is left of the grant leaves the wallet at this time.");
        var note = new Option<string>("--note") { Description = "Why the credit was granted (at most 500 characters), kept with the grant." };

        return cli.Group("wallet", "Prepaid wallets: the balance and its credit grants; grant credit.",
            cli.Verb("show", "Show a customer's balance, reservations and every grant with what is left of it.", async call =>
                call.Output.Result(await call.GetAsync(VerbCall.Path("customers", call.Get(customer), "wallet")), AdminJson.Default.WalletDto, w => Show(call, w)),
                customer),
            cli.Posting("grant", "Add credit to a customer's wallet.", async call =>
            {
                var body = new GrantRequest(call.Require(amount), call.Get(kind), call.Get(expires), call.Get(note));
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("customers", call.Get(customer), "grants"), body, AdminJson.Default.GrantRequest);
                call.Output.Result(response, AdminJson.Default.WalletDto, w => Show(call, w, $"Granted ${body.Amount} ({body.Kind ?? "purchased"}) to {w.CustomerId}."));
            }, customer, amount, kind, expires, note));
    }

    private static void Show(VerbCall call, WalletDto wallet, string? done = null)
    {
        if (done is not null) call.Output.Success(done);
        call.Output.Details($"Wallet of {wallet.CustomerId}",
            ("Balance", Cell.Money(wallet.Balance)),
            ("Reserved", Cell.Money(wallet.Reserved)),
            ("Available", Cell.Money(wallet.Available)),
            ("Credit limit", Cell.Money(wallet.CreditLimit)));
        if (wallet.Grants.Count == 0) call.Output.Note("No grants.");
        else call.Output.Table(wallet.Grants, GrantColumns, "Grants, oldest first");
    }
}
