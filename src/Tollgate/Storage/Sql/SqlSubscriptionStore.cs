using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Subscriptions;
using Tollgate.Subscriptions;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlSubscriptionStore(SqlDatabase database) : ISubscriptionStore
{
    public Task PutPlanAsync(Plan plan, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction, """
                INSERT INTO plans (id, name, definition, created_at, updated_at) VALUES (@id, @name, @definition, @at, @at)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition, updated_at = excluded.updated_at
                """);
            upsert.Bind("@id", plan.Id);
            upsert.Bind("@name", plan.Name);
            upsert.Bind("@definition", PlanDocument.From(plan).ToJson());
            upsert.Bind("@at", UnixTime.ToStored(audit.At));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task SaveAsync(SubscriptionEntry s, SubscriptionFee? fee, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction, """
                INSERT INTO subscriptions (id, customer_id, plan_id, status, period_start, period_end, trial_end, cancel_at_period_end, next_plan_id,
                    created_at, canceled_at)
                VALUES (@id, @customer, @plan, @status, @start, @end, @trial, @cancel, @next, @created, @canceled)
                ON CONFLICT (id) DO UPDATE SET plan_id = excluded.plan_id, status = excluded.status, period_start = excluded.period_start,
                    period_end = excluded.period_end, trial_end = excluded.trial_end, cancel_at_period_end = excluded.cancel_at_period_end,
                    next_plan_id = excluded.next_plan_id, canceled_at = excluded.canceled_at
                """);
            upsert.Bind("@id", s.Id);
            upsert.Bind("@customer", s.CustomerId);
            upsert.Bind("@plan", s.Plan.Id);
            upsert.Bind("@status", StoredNames.Of(s.Status));
            upsert.Bind("@start", UnixTime.ToStored(s.PeriodStart));
            upsert.Bind("@end", UnixTime.ToStored(s.PeriodEnd));
            upsert.Bind("@trial", UnixTime.ToStoredOrNull(s.TrialEnd));
            upsert.Bind("@cancel", s.CancelAtPeriodEnd ? 1 : 0);
            upsert.Bind("@next", (object?)s.NextPlanId ?? DBNull.Value);
            upsert.Bind("@created", UnixTime.ToStored(s.CreatedAt));
            upsert.Bind("@canceled", s.Status == SubscriptionStatus.Canceled ? UnixTime.ToStored(audit.At) : DBNull.Value);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
            if (fee is null || fee.Amount == 0) return;
            var ledger = Command(connection, transaction, """
                INSERT INTO ledger_entries (customer_id, kind, amount, reference, created_at, note) VALUES (@customer, @kind, @amount, @reference, @at, @note)
                """);
            ledger.Bind("@customer", s.CustomerId);
            ledger.Bind("@kind", (int)LedgerEntryKind.SubscriptionFee);
            ledger.Bind("@amount", Money.Format(-fee.Amount));
            ledger.Bind("@reference", fee.Reference);
            ledger.Bind("@at", UnixTime.ToStored(audit.At));
            ledger.Bind("@note", fee.Note);
            // A fee already charged (same reference) fails the whole change: nothing is billed twice.
            await ledger.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<SubscriptionEntry?> GetAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var plans = await ReadPlansAsync(connection, null, cancellationToken);
        return (await ReadSubscriptionsAsync(connection, null, plans, "id = @id", c => c.Bind("@id", subscriptionId), cancellationToken))
            .FirstOrDefault();
    }

    public async Task<IReadOnlyList<(string CustomerId, string ModelId, long Units, DateTimeOffset At)>> UnitsSinceAsync(DateTimeOffset since, string? customerId = null,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"""
            SELECT e.customer_id, e.model_id, e.units, e.started_at FROM usage_events e
            WHERE e.units > 0 AND e.completed_at >= @since{(customerId is null ? "" : " AND e.customer_id = @customer")}
              AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = e.customer_id AND s.status <> 'canceled')
            ORDER BY e.started_at
            """);
        select.Bind("@since", UnixTime.ToStored(since));
        if (customerId is not null) select.Bind("@customer", customerId);
        var units = new List<(string, string, long, DateTimeOffset)>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            units.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), UnixTime.FromStored(reader.GetInt64(3))));
        return units;
    }

    public async Task<bool> FeeChargedAsync(string reference, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, "SELECT 1 FROM ledger_entries WHERE kind = @kind AND reference = @reference");
        select.Bind("@kind", (int)LedgerEntryKind.SubscriptionFee);
        select.Bind("@reference", reference);
        return await select.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>All plans and the live subscriptions, for the catalog snapshot.</summary>
    public static async Task<(List<Plan> Plans, List<SubscriptionEntry> Subscriptions)> ReadAllAsync(DbConnection connection, DbTransaction transaction,
        CancellationToken cancellationToken)
    {
        var plans = await ReadPlansAsync(connection, transaction, cancellationToken);
        var subscriptions = await ReadSubscriptionsAsync(connection, transaction, plans, "status <> 'canceled'", _ => { }, cancellationToken);
        return ([.. plans.Values], subscriptions);
    }

    private static async Task<Dictionary<string, Plan>> ReadPlansAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var plans = new Dictionary<string, Plan>(StringComparer.Ordinal);
        await using var reader = await Command(connection, transaction, "SELECT id, definition FROM plans").ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            var (plan, error, _) = PlanDocument.Parse(reader.GetString(1)).ToPlan(id);
            plans[id] = plan ?? throw new InvalidDataException($"Stored plan '{id}' is invalid: {error}");
        }
        return plans;
    }

    private static async Task<List<SubscriptionEntry>> ReadSubscriptionsAsync(DbConnection connection, DbTransaction? transaction,
        Dictionary<string, Plan> plans, string filter, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        var select = Command(connection, transaction, $"""
            SELECT id, customer_id, plan_id, status, period_start, period_end, trial_end, cancel_at_period_end, next_plan_id, created_at
            FROM subscriptions WHERE {filter}
            """);
        bind(select);
        var subscriptions = new List<SubscriptionEntry>();
        await using var r = await select.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            subscriptions.Add(new SubscriptionEntry(r.GetString(0), r.GetString(1), plans[r.GetString(2)], StoredNames.Parse<SubscriptionStatus>(r.GetString(3)),
                UnixTime.FromStored(r.GetInt64(4)), UnixTime.FromStored(r.GetInt64(5)), r.IsDBNull(6) ? null : UnixTime.FromStored(r.GetInt64(6)),
                r.GetInt64(7) == 1, r.IsDBNull(8) ? null : r.GetString(8), UnixTime.FromStored(r.GetInt64(9))));
        }
        return subscriptions;
    }
}
