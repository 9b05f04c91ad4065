using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary><c>tollgate customers list|show|create|update</c>.</summary>
internal static class CustomerCommands
{
    private static readonly string[] BillingModes = ["prepaid", "postpaid"];

    private static readonly Column<CustomerDto>[] Columns =
    [
        Column<CustomerDto>.Id("ID", c => c.Id),
        new("Name", c => Cell.Text(c.Name)),
        new("Billing", c => Cell.Text(c.BillingMode)),
        new("Created", c => Cell.Time(c.CreatedAt)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var paging = PageOptions.Standard("customer id");
        var id = CliOptions.Id("customer-id", "The customer's id (cus_…).");
        var name = new Option<string>("--name") { Description = "The customer's name (1 to 200 characters)." };
        var requiredName = new Option<string>("--name") { Description = name.Description, Required = true };
        var mode = CliOptions.OneOf("--billing-mode", "prepaid: spends a wallet balance (default); postpaid: invoiced, within a credit limit.", BillingModes);

        return cli.Group("customers", "The people and companies who buy access: list, show, create, update.",
            cli.Verb("list", "List customers, oldest first.", async call =>
                call.Output.List(await call.GetAsync("customers", paging.Query(call)), CliJson.Default.ApiListCustomerDto, Columns, c => c.Id, "customers"),
                paging.Symbols),
            cli.Verb("show", "Show one customer.", async call =>
                call.Output.Result(await call.GetAsync(VerbCall.Path("customers", call.Get(id))), AdminJson.Default.CustomerDto, c => Show(call, c)),
                id),
            cli.Posting("create", "Create a customer.", async call =>
            {
                var body = new CustomerRequest(call.Require(requiredName), call.Get(mode));
                var response = await call.SendAsync(HttpMethod.Post, "customers", body, AdminJson.Default.CustomerRequest);
                call.Output.Result(response, AdminJson.Default.CustomerDto, c => Show(call, c, $"Created customer {c.Id}."));
            }, requiredName, mode),
            cli.Verb("update", "Change a customer's name or billing mode; what is not given stays.", async call =>
            {
                var body = new CustomerRequest(call.Get(name), call.Get(mode));
                if (body is { Name: null, BillingMode: null }) throw CliFailure.Invalid("Nothing to change: give --name or --billing-mode.");
                var response = await call.SendAsync(HttpMethod.Patch, VerbCall.Path("customers", call.Get(id)), body, AdminJson.Default.CustomerRequest);
                call.Output.Result(response, AdminJson.Default.CustomerDto, c => Show(call, c, $"Updated customer {c.Id}."));
            }, id, name, mode));
    }

    private static void Show(VerbCall call, CustomerDto customer, string? done = null)
    {
        if (done is not null) call.Output.Success(done);
        call.Output.Details($"Customer {customer.Id}",
            ("Name", Cell.Text(customer.Name)),
            ("Billing mode", Cell.Text(customer.BillingMode)),
            ("Created", Cell.Time(customer.CreatedAt)));
    }
}
