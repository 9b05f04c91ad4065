using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary><c>tollgate tokens list|create|revoke</c>: admin tokens with scopes; only a <c>full</c> token may manage them.</summary>
internal static class TokenCommands
{
    private static readonly Column<AdminTokenDto>[] Columns =
    [
        Column<AdminTokenDto>.Id("ID", t => t.Id),
        new("Name", t => Cell.Text(t.Name)),
        new("Scopes", t => Cell.List(t.Scopes, "none")),
        new("Status", t => Cell.Status(t.RevokedAt is null ? "active" : "revoked")),
        new("Created", t => Cell.Time(t.CreatedAt)),
        new("Revoked", t => Cell.Time(t.RevokedAt)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var paging = PageOptions.Standard("token id");
        var id = CliOptions.Id("token-id", "The admin token's id, as 'tokens list' shows it.");
        var name = new Option<string>("--name") { Description = "Who or what the token is for (1 to 200 characters).", Required = true };
        var scopes = new Option<string[]>("--scope")
        {
            Description = $"A scope to grant; repeat for several: {string.Join(", ", AdminScopes.All)} (full includes every other).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "scope",
        };
        scopes.AcceptOnlyFromAmong([.. AdminScopes.All]);

        return cli.Group("tokens", "Admin tokens for people and scripts: list, create, revoke.",
            cli.Verb("list", "List admin tokens, oldest first (never their secrets).", async call =>
                call.Output.List(await call.GetAsync("tokens", paging.Query(call)), CliJson.Default.ApiListAdminTokenDto, Columns, t => t.Id, "admin tokens"),
                paging.Symbols),
            cli.Posting("create", "Create an admin token; its secret is shown this once.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, "tokens", new AdminTokenRequest(call.Require(name), call.Require(scopes)), AdminJson.Default.AdminTokenRequest);
                call.Output.Result(response, AdminJson.Default.CreatedAdminTokenDto, created =>
                {
                    call.Output.Success($"Created admin token {created.AdminToken.Id}.");
                    call.Output.Table([created.AdminToken], Columns);
                    call.Output.Secret("admin token", created.Token);
                });
            }, name, scopes),
            cli.Posting("revoke", "Revoke an admin token: it stops working on the next request.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("tokens", call.Get(id), "revoke"));
                call.Output.Result(response, AdminJson.Default.AdminTokenDto, t =>
                {
                    call.Output.Success($"Revoked admin token {t.Id}.");
                    call.Output.Table([t], Columns);
                });
            }, id));
    }
}
