using System.Data;
using Npgsql;
using Tollgate.Billing;

namespace Tollgate.Storage.Postgres;

/// <summary>
/// Reads the figures of a few customers in one repeatable-read transaction, so they and the
/// snapshot that names them agree; sums are exact <c>numeric</c> over the stored decimal text, and
/// only the named customers' rows are read (by index).
/// </summary>
internal sealed class PostgresLedgerSnapshots(PostgresDatabase database) : ILedgerSnapshots
{
    public async Task<LedgerFigures> ReadAsync(IReadOnlyCollection<string> customerIds, DateTimeOffset monthStart, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        var ids = customerIds.Distinct(StringComparer.Ordinal).ToArray();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        // The first statement fixes the transaction's snapshot: every read below sees exactly it.
        string snapshot;
        await using (var command = new NpgsqlCommand("SELECT pg_current_snapshot()::text", connection, transaction))
            snapshot = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        var balances = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""
            SELECT customer_id, SUM(amount::numeric)::text FROM ledger_entries WHERE customer_id = ANY(@ids) GROUP BY customer_id
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("ids", ids);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) balances[reader.GetString(0)] = Money.Parse(reader.GetString(1));
        }
        var customerMonth = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var keyMonth = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var keyLifetime = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var keys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""
            SELECT customer_id, key_id,
                   COALESCE(SUM(charged_amount::numeric) FILTER (WHERE completed_at >= @month), 0)::text,
                   SUM(charged_amount::numeric)::text
            FROM usage_events WHERE customer_id = ANY(@ids) GROUP BY customer_id, key_id
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("ids", ids);
            command.Parameters.AddWithValue("month", UnixTime.ToStored(monthStart));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (customer, key) = (reader.GetString(0), reader.GetString(1));
                var (month, lifetime) = (Money.Parse(reader.GetString(2)), Money.Parse(reader.GetString(3)));
                keyMonth[key] = month;
                keyLifetime[key] = lifetime;
                customerMonth[customer] = customerMonth.GetValueOrDefault(customer) + month;
                if (!keys.TryGetValue(customer, out var list)) keys[customer] = list = [];
                list.Add(key);
            }
        }
        var expiring = await ExpiringAsync(connection, transaction, ids, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new LedgerFigures(snapshot, balances, customerMonth, keyMonth, keyLifetime,
            keys.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal))
        {
            Expiring = expiring,
        };
    }

    /// <summary>The grants with an expiry and no expiry entry yet, with what the wallet replay leaves of each (only customers that have one are replayed).</summary>
    private static async Task<Dictionary<string, IReadOnlyList<(DateTimeOffset, decimal)>>> ExpiringAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string[] ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var customers = new List<string>();
        await using (var command = new NpgsqlCommand("""
            SELECT DISTINCT g.customer_id FROM grants g
            WHERE g.customer_id = ANY(@ids) AND g.expires_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.kind = @expiry AND l.reference = g.id)
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("ids", ids);
            command.Parameters.AddWithValue("expiry", (int)Billing.Ledger.LedgerEntryKind.Expiry);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) customers.Add(reader.GetString(0));
        }
        var expiring = new Dictionary<string, IReadOnlyList<(DateTimeOffset, decimal)>>(StringComparer.Ordinal);
        foreach (var customer in customers)
        {
            var held = await Sql.SqlWalletStore.HeldGrantsAsync(connection, customer, now, cancellationToken, transaction);
            expiring[customer] = [.. held.Where(h => h.Grant.ExpiresAt is not null && h.Remaining > 0).Select(h => (h.Grant.ExpiresAt!.Value, h.Remaining))];
        }
        return expiring;
    }

    public async Task<(IReadOnlyList<string> Customers, string Snapshot)> ChangedSinceAsync(string? since, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        string snapshot;
        await using (var command = new NpgsqlCommand("SELECT pg_current_snapshot()::text", connection, transaction))
            snapshot = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        // Committed after `since` means not visible in it; every such transaction's id is at least its xmin (the index's range).
        await using var select = new NpgsqlCommand(since is null
            ? "SELECT DISTINCT customer_id FROM ledger_entries"
            : """
              SELECT DISTINCT customer_id FROM ledger_entries
              WHERE xid >= pg_snapshot_xmin(@since::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, @since::pg_snapshot)
              """, connection, transaction);
        if (since is not null) select.Parameters.AddWithValue("since", since);
        var customers = new List<string>();
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) customers.Add(reader.GetString(0));
        }
        await transaction.CommitAsync(cancellationToken);
        return (customers, snapshot);
    }
}
