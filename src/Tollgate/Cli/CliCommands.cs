using System.CommandLine;

namespace Tollgate.Cli;

/// <summary>The CLI's verbs: the admin API's resources, each a client of the running server, and the local <c>backup</c>.</summary>
internal static class CliCommands
{
    public static void AddTo(Command root, CliEnvironment environment)
    {
        var cli = new ClientVerbs(environment);
        root.Subcommands.Add(CustomerCommands.Create(cli));
        root.Subcommands.Add(KeyCommands.Create(cli));
        root.Subcommands.Add(ModelCommands.Create(cli));
        root.Subcommands.Add(WalletCommands.Create(cli));
        root.Subcommands.Add(BudgetCommands.Create(cli));
        root.Subcommands.Add(LimitCommands.Create(cli));
        root.Subcommands.Add(TierCommands.Create(cli));
        root.Subcommands.Add(UsageCommands.Create(cli));
        root.Subcommands.Add(WebhookCommands.Create(cli));
        root.Subcommands.Add(AlertCommands.Create(cli));
        root.Subcommands.Add(TokenCommands.Create(cli));
        root.Subcommands.Add(PortalCommands.Create(cli));
        root.Subcommands.Add(AuditCommands.Create(cli));
        foreach (var group in SubscriptionCommands.Create(cli)) root.Subcommands.Add(group);
        foreach (var group in ContractCommands.Create(cli)) root.Subcommands.Add(group);
        root.Subcommands.Add(InvoiceCommands.Create(cli));
        root.Subcommands.Add(LedgerCommands.Create(cli));
        root.Subcommands.Add(ReconcileCommand.Create(cli));
        root.Subcommands.Add(EconomicsCommands.Create(cli));
        root.Subcommands.Add(BackupCommand.Create(environment));
    }
}
