using System.CommandLine;
using Tollgate.Portal;

namespace Tollgate.Cli;

/// <summary><c>tollgate portal invite|invitations|users|remove</c>: the people who use the customer portal.</summary>
internal static class PortalCommands
{
    private static readonly string[] Roles = ["owner", "developer"];

    private static readonly Column<PortalInvitationDto>[] InvitationColumns =
    [
        Column<PortalInvitationDto>.Id("ID", i => i.Id),
        new("Email", i => Cell.Text(i.Email)),
        new("Role", i => Cell.Text(i.Role)),
        new("Status", i => Cell.Status(i.Status)),
        new("Expires", i => Cell.Time(i.ExpiresAt)),
        new("Accepted", i => Cell.Time(i.AcceptedAt)),
        new("By", i => Cell.Text(i.CreatedBy)),
    ];

    private static readonly Column<CustomerUserDto>[] UserColumns =
    [
        Column<CustomerUserDto>.Id("ID", u => u.Id),
        new("Email", u => Cell.Text(u.Email)),
        new("Role", u => Cell.Text(u.Role)),
        new("Since", u => Cell.Time(u.CreatedAt)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var customer = CliOptions.Id("customer-id", "The customer's id (cus_…).");
        var user = CliOptions.Id("user-id", "The portal user's id (usr_…), as 'portal users' shows it.");
        var email = new Option<string>("--email") { Description = "The invited person's email: they sign in with it.", Required = true };
        var role = CliOptions.OneOf("--role", "owner: billing, every key and the members; developer: their own keys and usage.", Roles);
        role.Required = true;
        var hours = new Option<int?>("--expires-in-hours") { Description = "How long the link works (default 72 hours)." };

        return cli.Group("portal", "People who use the customer portal: invite, list invitations and users, remove.",
            cli.Posting("invite", "Invite someone to a customer's portal; the one-time link is shown this once.", async call =>
            {
                var body = new PortalInvitationRequest(call.Require(email), call.Require(role), call.Get(hours));
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("customers", call.Get(customer), "invitations"), body,
                    PortalJson.Default.PortalInvitationRequest);
                call.Output.Result(response, PortalJson.Default.CreatedPortalInvitationDto, created =>
                {
                    call.Output.Success($"Invited {created.Invitation.Email} as {created.Invitation.Role}.");
                    call.Output.Table([created.Invitation], InvitationColumns);
                    call.Output.Secret("invitation link", new Uri(call.Server, created.Path).ToString());
                });
            }, customer, email, role, hours),
            cli.Verb("invitations", "A customer's portal invitations, newest first, with what became of each.", async call =>
                call.Output.List(await call.GetAsync(VerbCall.Path("customers", call.Get(customer), "invitations")), CliJson.Default.ApiListPortalInvitationDto,
                    InvitationColumns, i => i.Id, "invitations"),
                customer),
            cli.Verb("users", "A customer's portal users, oldest first.", async call =>
                call.Output.List(await call.GetAsync(VerbCall.Path("customers", call.Get(customer), "users")), CliJson.Default.ApiListCustomerUserDto,
                    UserColumns, u => u.Id, "portal users"),
                customer),
            cli.Posting("remove", "Remove a portal user: their sessions end on their next request.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("customers", call.Get(customer), "users", call.Get(user), "remove"));
                call.Output.Result(response, PortalJson.Default.CustomerUserDto, u =>
                {
                    call.Output.Success($"Removed {u.Email}.");
                    call.Output.Table([u], UserColumns);
                });
            }, customer, user));
    }
}
