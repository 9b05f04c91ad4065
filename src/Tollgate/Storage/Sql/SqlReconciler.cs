using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
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
        var invoices = await CheckInvoicesAsync(connection, transaction, dayFrom, dayTo, cancellationToken);
        var negative = await NegativePrepaidAsync(connection, transaction, cancellationToken);
        transaction.Commit();
        return new ReconciliationReport([.. sums
            .OrderBy(s => s.Key.Item2).ThenBy(s => s.Key.Item1, StringComparer.Ordinal)
            .Select(s => new ReconciliationRow(s.Key.Item1, s.Key.Item2, s.Value.Events, s.Value.Ledger, s.Value.Rollups, s.Value.Invoiced, s.Value.Pending))])
        {
            Invoices = invoices,
            NegativeBalances = negative,
        };
    }

    /// <summary>
    /// Per finalized invoice: its rounded lines (the prepaid balance applied aside) against the ledger —
    /// the entries its lines bill, its exact usage lines (which the rows above prove equal to the usage
    /// entries), and the rounding entry its finalization booked.
    /// </summary>
    private static async Task<List<InvoiceCheck>> CheckInvoicesAsync(DbConnection connection, DbTransaction transaction, string from, string to,
        CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, InvoiceCheck>(StringComparer.Ordinal);
        await ReadAsync(connection, transaction, """
            SELECT i.id, i.number, i.customer_id, i.period, l.kind, l.amount, l.rounded_amount, e.amount
            FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id LEFT JOIN ledger_entries e ON e.id = l.ledger_entry_id
            WHERE i.status IN ('finalized', 'paid') AND i.period >= @from AND i.period < @to
            """,
            c => { c.Bind("@from", from); c.Bind("@to", to); },
            r =>
            {
                var id = r.GetString(0);
                var check = checks.GetValueOrDefault(id) ?? new InvoiceCheck(id, r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2),
                    BillingPeriod.Parse(r.GetString(3)), 0m, 0m);
                var kind = StoredNames.Parse<InvoiceLineKind>(r.GetString(4));
                if (kind == InvoiceLineKind.PrepaidApplied)
                {
                    checks[id] = check;
                    return;
                }
                var exact = Money.Parse(r.GetString(5));
                var rounded = r.IsDBNull(6) ? exact : Money.Parse(r.GetString(6));
                // A line from the ledger bills the entry's amount, as the ledger holds it; usage lines are exact usage.
                // A line rounding in the customer's favour moved no money itself: its rounding entry, added below, did.
                var ledger = r.IsDBNull(7) ? (kind == InvoiceLineKind.Rounding ? 0m : exact) : -Money.Parse(r.GetString(7));
                checks[id] = check with { Invoiced = check.Invoiced + rounded, Ledger = check.Ledger + ledger };
            },
            cancellationToken);
        // A void invoice's rounding (a prepaid credit that stays; a postpaid entry and its reversal) belongs to its month's reissue.
        var reissues = new Dictionary<string, string>(StringComparer.Ordinal);
        var finalized = checks.Values.ToDictionary(c => (c.CustomerId, c.Period), c => c.InvoiceId);
        await ReadAsync(connection, transaction, "SELECT id, customer_id, period FROM invoices WHERE status = 'void' AND period >= @from AND period < @to",
            c => { c.Bind("@from", from); c.Bind("@to", to); },
            r =>
            {
                if (finalized.TryGetValue((r.GetString(1), BillingPeriod.Parse(r.GetString(2))), out var reissue)) reissues[r.GetString(0)] = reissue;
            },
            cancellationToken);
        await ReadAsync(connection, transaction, "SELECT reference, amount FROM ledger_entries WHERE kind = @rounding",
            c => c.Bind("@rounding", (int)LedgerEntryKind.Rounding),
            r =>
            {
                // rounding:{invoice} books it; rounding:{invoice}:void reverses it once the invoice is void.
                var parts = r.GetString(0).Split(':');
                if (parts.Length < 2) return;
                var invoiceId = reissues.GetValueOrDefault(parts[1]) ?? parts[1];
                if (checks.TryGetValue(invoiceId, out var check)) checks[invoiceId] = check with { Ledger = check.Ledger - Money.Parse(r.GetString(1)) };
            },
            cancellationToken);
        return [.. checks.Values.OrderBy(c => c.Period).ThenBy(c => c.CustomerId, StringComparer.Ordinal)];
    }

    /// <summary>Replays every prepaid customer's ledger in time order: the balance must never be below zero.</summary>
    private static async Task<List<NegativeBalance>> NegativePrepaidAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var balances = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var negative = new Dictionary<string, NegativeBalance>(StringComparer.Ordinal);
        await ReadAsync(connection, transaction, """
            SELECT e.customer_id, e.created_at, e.amount FROM ledger_entries e JOIN customers c ON c.id = e.customer_id
            WHERE c.billing_mode = @prepaid ORDER BY e.customer_id, e.created_at, e.id
            """,
            c => c.Bind("@prepaid", StoredNames.Of(BillingMode.Prepaid)),
            r =>
            {
                var customer = r.GetString(0);
                var balance = balances[customer] = balances.GetValueOrDefault(customer) + Money.Parse(r.GetString(2));
                if (balance < 0 && !negative.ContainsKey(customer))
                    negative[customer] = new NegativeBalance(customer, UnixTime.FromStored(r.GetInt64(1)), balance);
            },
            cancellationToken);
        return [.. negative.Values];
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
