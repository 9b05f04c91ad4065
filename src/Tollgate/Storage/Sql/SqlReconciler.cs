using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Ledger;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

/// <summary>
/// Sums every record of usage in decimal (SQL's SUM would use floats on SQLite) inside one snapshot
/// transaction: a consistent view while every node's usage writer goes on committing.
/// </summary>
internal sealed class SqlReconciler(SqlDatabase database) : IReconciler
{
    private sealed class Sums
    {
        public decimal Events;
        public decimal Ledger;
        public decimal Rollups;
        public decimal Invoiced;
        public decimal Pending;
    }

    public async Task<ReconciliationReport> ReconcileAsync(BillingPeriod? period, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var transaction = database.BeginSnapshot(connection);
        var sums = new Dictionary<(string, BillingPeriod), Sums>();
        Sums At(string customer, BillingPeriod month)
        {
            if (!sums.TryGetValue((customer, month), out var s)) sums[(customer, month)] = s = new Sums();
            return s;
        }
        var range = period is { } p ? (From: UnixTime.ToStored(p.Start), To: UnixTime.ToStored(p.End)) : (From: long.MinValue, To: long.MaxValue);

        await ReadAsync(connection, transaction, "SELECT customer_id, completed_at, charged_amount FROM usage_events WHERE completed_at >= @from AND completed_at < @to",
            c => BindRange(c, range), r => At(r.GetString(0), BillingPeriod.Of(UnixTime.FromStored(r.GetInt64(1)))).Events += Money.Parse(r.GetString(2)),
            cancellationToken);
        await ReadAsync(connection, transaction,
            "SELECT customer_id, created_at, amount FROM ledger_entries WHERE kind = @usage AND created_at >= @from AND created_at < @to",
            c => { BindRange(c, range); c.Bind("@usage", (int)LedgerEntryKind.Usage); },
            r => At(r.GetString(0), BillingPeriod.Of(UnixTime.FromStored(r.GetInt64(1)))).Ledger -= Money.Parse(r.GetString(2)),
            cancellationToken);
        var dayFrom = period?.ToString() ?? "0000";
        var dayTo = period?.Next.ToString() ?? "9999";
        await ReadAsync(connection, transaction, """
            SELECT r.customer_id, r.day, r.charged_amount,
                   EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = r.customer_id AND i.period = r.billing_period AND i.status IN ('finalized', 'paid'))
            FROM usage_rollups r WHERE r.day >= @dayFrom AND r.day < @dayTo
            """,
            c => { c.Bind("@dayFrom", dayFrom); c.Bind("@dayTo", dayTo); },
            r =>
            {
                var s = At(r.GetString(0), BillingPeriod.Parse(r.GetString(1)[..7]));
                var charged = Money.Parse(r.GetString(2));
                s.Rollups += charged;
                if (!r.GetBoolean(3)) s.Pending += charged;
            },
            cancellationToken);
        await ReadAsync(connection, transaction, """
            SELECT i.customer_id, l.usage_period, l.amount FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
            WHERE i.status IN ('finalized', 'paid') AND l.kind IN ('usage', 'usage_not_charged') AND l.usage_period >= @dayFrom AND l.usage_period < @dayTo
            """,
            c => { c.Bind("@dayFrom", dayFrom); c.Bind("@dayTo", dayTo); },
            r => At(r.GetString(0), BillingPeriod.Parse(r.GetString(1))).Invoiced += Money.Parse(r.GetString(2)),
            cancellationToken);
        transaction.Commit();
        return new ReconciliationReport([.. sums
            .OrderBy(s => s.Key.Item2).ThenBy(s => s.Key.Item1, StringComparer.Ordinal)
            .Select(s => new ReconciliationRow(s.Key.Item1, s.Key.Item2, s.Value.Events, s.Value.Ledger, s.Value.Rollups, s.Value.Invoiced, s.Value.Pending))]);
    }

    private static void BindRange(DbCommand command, (long From, long To) range)
    {
        command.Bind("@from", range.From);
        command.Bind("@to", range.To);
    }

    private static async Task ReadAsync(DbConnection connection, DbTransaction transaction, string sql, Action<DbCommand> bind,
        Action<DbDataReader> row, CancellationToken cancellationToken)
    {
        var select = Command(connection, transaction, sql);
        bind(select);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) row(reader);
    }
}
