using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Wallets;
using Tollgate.Budgets;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlWalletStore(SqlDatabase database) : IWalletStore
{
    public Task AddGrantAsync(string customerId, Grant grant, string? note, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var insert = Command(connection, transaction, """
                INSERT INTO grants (id, customer_id, kind, amount, expires_at, note, created_at)
                VALUES (@id, @customer, @kind, @amount, @expires, @note, @created)
                """);
            insert.Bind("@id", grant.Id);
            insert.Bind("@customer", customerId);
            insert.Bind("@kind", StoredNames.Of(grant.Kind));
            insert.Bind("@amount", Money.Format(grant.Amount));
            insert.Bind("@expires", UnixTime.ToStoredOrNull(grant.ExpiresAt));
            insert.Bind("@note", (object?)note ?? DBNull.Value);
            insert.Bind("@created", UnixTime.ToStored(grant.CreatedAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await AppendLedgerAsync(connection, transaction, customerId, LedgerEntryKind.Grant, grant.Amount, grant.Id, grant.CreatedAt, cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<Grant>> ListGrantsAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await ReadGrantsAsync(connection, customerId, cancellationToken);
    }

    public async Task<WalletReplay.Result> ReplayAsync(string customerId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await ReplayAsync(connection, customerId, now, cancellationToken);
    }

    public async Task<IReadOnlyList<GrantExpiry>> ExpireDueAsync(DateTimeOffset now, Func<string, Task<DateTimeOffset>>? settledUntil = null,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var due = Command(connection, null, """
            SELECT DISTINCT g.customer_id FROM grants g
            WHERE g.expires_at IS NOT NULL AND g.expires_at <= @now
              AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.kind = @expiry AND l.reference = g.id)
            """);
        due.Bind("@now", UnixTime.ToStored(now));
        due.Bind("@expiry", (int)LedgerEntryKind.Expiry);
        var customers = new List<string>();
        await using (var reader = await due.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) customers.Add(reader.GetString(0));
        }
        var expired = new List<GrantExpiry>();
        foreach (var customerId in customers)
        {
            var until = settledUntil is null ? now : await settledUntil(customerId);
            if (until > now) until = now;
            // One short transaction per customer: the replay and its expiry entries agree.
            using var transaction = database.BeginWrite(connection);
            var replay = await ReplayAsync(connection, customerId, until, cancellationToken, transaction);
            foreach (var grant in await ReadGrantsAsync(connection, customerId, cancellationToken, transaction))
            {
                if (grant.ExpiresAt is not { } at || at > until || !replay.Expired.TryGetValue(grant.Id, out var lost)) continue;
                // A grant spent to nothing still gets its (zero) entry: it is then written off, once.
                if (await AppendLedgerAsync(connection, transaction, customerId, LedgerEntryKind.Expiry, -lost, grant.Id, at, cancellationToken))
                    expired.Add(new GrantExpiry(customerId, grant.Id, lost));
            }
            transaction.Commit();
        }
        return expired;
    }

    public async Task<LoadedTotals> LoadTotalsAsync(DateTimeOffset monthStart, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Every sum is checked: a customer whose figures leave a decimal's range is held closed, never the whole process.
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        var balances = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using (var reader = await Command(connection, null, "SELECT customer_id, amount FROM ledger_entries").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var customer = reader.GetString(0);
                if (!Add(balances, customer, Money.Parse(reader.GetString(1)))) held.TryAdd(customer, "its ledger balance is beyond the range of a decimal");
            }
        }
        var customerMonth = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var keyMonth = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var keyLifetime = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var keysOf = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var month = UnixTime.ToStored(monthStart);
        await using (var reader = await Command(connection, null, "SELECT customer_id, key_id, charged_amount, completed_at FROM usage_events")
            .ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var charged = Money.Parse(reader.GetString(2));
                if (charged == 0) continue;
                var (customer, key) = (reader.GetString(0), reader.GetString(1));
                if (!keysOf.TryGetValue(customer, out var keys)) keysOf[customer] = keys = new HashSet<string>(StringComparer.Ordinal);
                keys.Add(key);
                var summed = Add(keyLifetime, key, charged);
                if (reader.GetInt64(3) >= month) summed &= Add(customerMonth, customer, charged) & Add(keyMonth, key, charged);
                if (!summed) held.TryAdd(customer, "its spend is beyond the range of a decimal");
            }
        }
        var grants = await LoadHeldGrantsAsync(connection, now, held, cancellationToken);
        foreach (var customer in held.Keys)
        {
            balances.Remove(customer);
            customerMonth.Remove(customer);
            grants.Remove(customer);
            foreach (var key in keysOf.GetValueOrDefault(customer) ?? [])
            {
                keyMonth.Remove(key);
                keyLifetime.Remove(key);
            }
        }
        return new LoadedTotals(new AccountTotals(balances, customerMonth, keyMonth, keyLifetime) { Grants = grants }, held);
    }

    /// <summary>
    /// Each wallet's grants not yet written off, with what the replay leaves of them: the live wallets start from these.
    /// A wallet whose replay overflows is added to <paramref name="unloadable"/> instead.
    /// </summary>
    private static async Task<Dictionary<string, IReadOnlyList<(Grant, decimal)>>> LoadHeldGrantsAsync(DbConnection connection, DateTimeOffset now,
        Dictionary<string, string> unloadable, CancellationToken cancellationToken)
    {
        var customers = new List<string>();
        var select = Command(connection, null, """
            SELECT DISTINCT g.customer_id FROM grants g
            WHERE NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.kind = @expiry AND l.reference = g.id)
            """);
        select.Bind("@expiry", (int)LedgerEntryKind.Expiry);
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) customers.Add(reader.GetString(0));
        }
        var held = new Dictionary<string, IReadOnlyList<(Grant, decimal)>>(StringComparer.Ordinal);
        foreach (var customerId in customers)
        {
            if (unloadable.ContainsKey(customerId)) continue;
            try
            {
                held[customerId] = await HeldGrantsAsync(connection, customerId, now, cancellationToken);
            }
            catch (OverflowException)
            {
                unloadable.TryAdd(customerId, "its grants are beyond the range of a decimal");
            }
        }
        return held;
    }

    /// <summary>
    /// The customer's grants not yet written off, each with what the wallet replay at <paramref name="now"/> leaves of it.
    /// A grant past its expiry whose entry is not yet written stays held with its remainder, so a wallet counts it as
    /// unusable rather than spendable. Throws <see cref="OverflowException"/> when the replay leaves a decimal's range.
    /// </summary>
    internal static async Task<List<(Grant Grant, decimal Remaining)>> HeldGrantsAsync(DbConnection connection, string customerId, DateTimeOffset now,
        CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        var written = await WrittenOffAsync(connection, customerId, cancellationToken, transaction);
        var grants = await ReadGrantsAsync(connection, customerId, cancellationToken, transaction);
        var replay = WalletReplay.Run(grants, await ReadDebitsAsync(connection, customerId, cancellationToken, transaction), now);
        return [.. grants.Where(g => !written.Contains(g.Id))
            .Select(g => (g, replay.Expired.TryGetValue(g.Id, out var lost) ? lost : replay.Remaining.GetValueOrDefault(g.Id)))];
    }

    private static async Task<HashSet<string>> WrittenOffAsync(DbConnection connection, string customerId, CancellationToken cancellationToken,
        DbTransaction? transaction = null)
    {
        var select = Command(connection, transaction, "SELECT reference FROM ledger_entries WHERE customer_id = @customer AND kind = @expiry");
        select.Bind("@customer", customerId);
        select.Bind("@expiry", (int)LedgerEntryKind.Expiry);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Adds to the total; false (the total unchanged) when the sum would leave a decimal's range.</summary>
    private static bool Add(Dictionary<string, decimal> totals, string id, decimal amount)
    {
        if (!Money.TryAdd(totals.GetValueOrDefault(id), amount, out var sum)) return false;
        totals[id] = sum;
        return true;
    }

    private static async Task<WalletReplay.Result> ReplayAsync(DbConnection connection, string customerId, DateTimeOffset now, CancellationToken cancellationToken,
        DbTransaction? transaction = null)
    {
        var grants = await ReadGrantsAsync(connection, customerId, cancellationToken, transaction);
        return WalletReplay.Run(grants, await ReadDebitsAsync(connection, customerId, cancellationToken, transaction), now);
    }

    /// <summary>
    /// Debits are every negative ledger entry but expiries, which the replay itself decides. A
    /// request's usage is dated when it started: its funds were judged then, by the live wallet.
    /// </summary>
    internal static async Task<List<WalletReplay.Debit>> ReadDebitsAsync(DbConnection connection, string customerId, CancellationToken cancellationToken,
        DbTransaction? transaction = null)
    {
        var debits = new List<WalletReplay.Debit>();
        var select = Command(connection, transaction, """
            SELECT l.amount, COALESCE(u.started_at, l.created_at), l.id FROM ledger_entries l
            LEFT JOIN usage_events u ON l.kind = @usage AND u.request_id = l.reference
            WHERE l.customer_id = @customer AND l.kind <> @expiry
            """);
        select.Bind("@customer", customerId);
        select.Bind("@expiry", (int)LedgerEntryKind.Expiry);
        select.Bind("@usage", (int)LedgerEntryKind.Usage);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var amount = Money.Parse(reader.GetString(0));
            if (amount < 0) debits.Add(new WalletReplay.Debit(UnixTime.FromStored(reader.GetInt64(1)), -amount, reader.GetInt64(2)));
        }
        return debits;
    }

    private static async Task<List<Grant>> ReadGrantsAsync(DbConnection connection, string customerId, CancellationToken cancellationToken,
        DbTransaction? transaction = null)
    {
        var select = Command(connection, transaction, "SELECT id, kind, amount, created_at, expires_at FROM grants WHERE customer_id = @customer ORDER BY created_at, id");
        select.Bind("@customer", customerId);
        var grants = new List<Grant>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            grants.Add(new Grant(reader.GetString(0), StoredNames.Parse<GrantKind>(reader.GetString(1)), Money.Parse(reader.GetString(2)),
                UnixTime.FromStored(reader.GetInt64(3)), reader.IsDBNull(4) ? null : UnixTime.FromStored(reader.GetInt64(4))));
        }
        return grants;
    }

    /// <summary>Returns false when the entry already existed (same kind and reference).</summary>
    private static async Task<bool> AppendLedgerAsync(DbConnection connection, DbTransaction transaction, string customerId, LedgerEntryKind kind,
        decimal amount, string reference, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var insert = Command(connection, transaction, """
            INSERT INTO ledger_entries (customer_id, kind, amount, reference, created_at) VALUES (@customer, @kind, @amount, @reference, @at)
            ON CONFLICT (kind, reference) DO NOTHING
            """);
        insert.Bind("@customer", customerId);
        insert.Bind("@kind", (int)kind);
        insert.Bind("@amount", Money.Format(amount));
        insert.Bind("@reference", reference);
        insert.Bind("@at", UnixTime.ToStored(at));
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
