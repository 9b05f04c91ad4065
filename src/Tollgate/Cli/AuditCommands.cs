using System.CommandLine;
using System.Globalization;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary><c>tollgate audit list</c>: the append-only record of every admin change, newest first.</summary>
internal static class AuditCommands
{
    private static readonly Column<AuditEntryDto>[] Columns =
    [
        Column<AuditEntryDto>.Right("ID", e => e.Id.ToString(CultureInfo.InvariantCulture)),
        new("At", e => Cell.Time(e.At)),
        new("Actor", e => Cell.Text(e.Actor)),
        Column<AuditEntryDto>.Id("Action", e => e.Action),
        new("Target", e => Cell.Text($"{e.TargetType} {e.TargetId}")),
        new("Changes", e => Cell.Text(AuditChanges.Describe(e.Before, e.After))),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var paging = PageOptions.Standard("entry id");
        var targetType = new Option<string>("--target-type") { Description = "Only changes to this kind of thing: customer, api_key, model, backend, admin_token.", HelpName = "type" };
        var targetId = new Option<string>("--target-id") { Description = "Only changes to this id.", HelpName = "id" };
        var actor = new Option<string>("--actor") { Description = "Only changes by this admin token id ('env' is TOLLGATE_ADMIN_TOKEN).", HelpName = "token-id" };

        return cli.Group("audit", "The audit log: who changed what, when, with before and after.",
            cli.Verb("list", "List audit entries, newest first (--json for the full before and after).", async call =>
            {
                var query = paging.Query(call)
                    .Add("target_type", call.Get(targetType))
                    .Add("target_id", call.Get(targetId))
                    .Add("actor", call.Get(actor));
                call.Output.List(await call.GetAsync("audit", query), CliJson.Default.ApiListAuditEntryDto, Columns,
                    e => e.Id.ToString(CultureInfo.InvariantCulture), "audit entries");
            }, [targetType, targetId, actor, .. paging.Symbols]));
    }
}
