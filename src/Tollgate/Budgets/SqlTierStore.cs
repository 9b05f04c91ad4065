using Tollgate.Billing;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Wallets;
using Tollgate.Storage;
using Tollgate.Storage.Sql;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Budgets;

internal sealed class SqlTierStore(SqlDatabase database) : ITierStore
{
    public async Task<IReadOnlyDictionary<string, decimal>> LoadPaidAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var paid = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var grants = Command(connection, null, "SELECT customer_id, amount FROM grants WHERE kind = @purchased");
        grants.Bind("@purchased", StoredNames.Of(GrantKind.Purchased));
        var payments = Command(connection, null, "SELECT customer_id, amount FROM ledger_entries WHERE kind = @payment");
        payments.Bind("@payment", (int)LedgerEntryKind.Payment);
        foreach (var select in new[] { grants, payments })
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                // Checked: a total beyond a decimal's range stays at the largest (its wallet is held closed at load).
                paid[id] = Money.TryAdd(paid.GetValueOrDefault(id), Money.Parse(reader.GetString(1)), out var sum) ? sum : decimal.MaxValue;
            }
        }
        return paid;
    }

    public async Task<IReadOnlyDictionary<string, TierOverride>> LoadOverridesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var overrides = new Dictionary<string, TierOverride>(StringComparer.Ordinal);
        await using var reader = await Command(connection, null, "SELECT customer_id, level, note, set_at FROM customer_tiers").ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            overrides[reader.GetString(0)] = new TierOverride(reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), UnixTime.FromStored(reader.GetInt64(3)));
        }
        return overrides;
    }

    public Task SetOverrideAsync(string customerId, TierOverride? value, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            if (value is null)
            {
                var delete = Command(connection, transaction, "DELETE FROM customer_tiers WHERE customer_id = @customer");
                delete.Bind("@customer", customerId);
                return delete.ExecuteNonQueryAsync(cancellationToken);
            }
            var upsert = Command(connection, transaction, """
                INSERT INTO customer_tiers (customer_id, level, note, set_at) VALUES (@customer, @level, @note, @at)
                ON CONFLICT (customer_id) DO UPDATE SET level = excluded.level, note = excluded.note, set_at = excluded.set_at
                """);
            upsert.Bind("@customer", customerId);
            upsert.Bind("@level", value.Level);
            upsert.Bind("@note", (object?)value.Note ?? DBNull.Value);
            upsert.Bind("@at", UnixTime.ToStored(value.SetAt));
            return upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
