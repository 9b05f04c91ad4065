using System.Globalization;
using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Economics;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Pricing;
using Tollgate.Billing.Wallets;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

/// <summary>Reports on the database; amounts are summed in decimal here, never by SQL (which would use floats).</summary>
internal sealed class SqlEconomicsQueries(SqlDatabase database) : IEconomicsQueries
{
    /// <summary>The longest span a fee pays for: a fee charged this long before a report's start may still reach into it.</summary>
    private static readonly TimeSpan LongestFeeSpan = TimeSpan.FromDays(31);

    public async Task<IReadOnlyList<UsageLine>> UsageAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, """
            SELECT customer_id, day, model_id, backend_id, requests, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                list_amount, charged_amount, cost_to_serve, cache_write_tokens
            FROM usage_rollups WHERE day >= @from AND day < @to
            """);
        select.Bind("@from", MarginReport.Day(from));
        select.Bind("@to", MarginReport.Day(to));
        // A day's usage may sit in two billing periods (late usage of a finalized month): one line per key here.
        var lines = new Dictionary<(string, string, string, string), UsageLine>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
            var line = new UsageLine(key.Item1, DateOnly.ParseExact(key.Item2, "yyyy-MM-dd", CultureInfo.InvariantCulture), key.Item3, key.Item4, reader.GetInt64(4),
                new TokenUsage(reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(12)),
                Money.Parse(reader.GetString(9)), Money.Parse(reader.GetString(10)), Money.Parse(reader.GetString(11)));
            lines[key] = lines.TryGetValue(key, out var sum)
                ? sum with
                {
                    Requests = sum.Requests + line.Requests,
                    Tokens = sum.Tokens.Plus(line.Tokens),
                    ListAmount = sum.ListAmount + line.ListAmount,
                    ChargedAmount = sum.ChargedAmount + line.ChargedAmount,
                    CostToServe = sum.CostToServe + line.CostToServe,
                }
                : line;
        }
        return [.. lines.Values];
    }

    public async Task<IReadOnlyList<FeeCharge>> FeesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var plans = await SubscriptionPlansAsync(connection, cancellationToken);
        var select = Command(connection, null, """
            SELECT customer_id, amount, reference, created_at FROM ledger_entries
            WHERE kind = @kind AND created_at >= @since AND created_at < @to
            """);
        select.Bind("@kind", (int)LedgerEntryKind.SubscriptionFee);
        select.Bind("@since", UnixTime.ToStored(from - LongestFeeSpan));
        select.Bind("@to", UnixTime.ToStored(to));
        var fees = new List<FeeCharge>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var reference = reader.GetString(2);
            var (start, end) = FeeSpans.Of(reference, UnixTime.FromStored(reader.GetInt64(3)));
            if (end <= from || start >= to) continue;
            // Fees are debits (negative); revenue is their size.
            fees.Add(new FeeCharge(reader.GetString(0), plans.GetValueOrDefault(FeeSpans.SubscriptionOf(reference)), -Money.Parse(reader.GetString(1)), start, end));
        }
        return fees;
    }

    public async Task<IReadOnlyList<PromotionalShare>> PromotionalAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var transaction = database.BeginSnapshot(connection);
        var customers = new List<string>();
        var withPromotions = Command(connection, transaction, "SELECT DISTINCT customer_id FROM grants WHERE kind = @kind");
        withPromotions.Bind("@kind", StoredNames.Of(GrantKind.Promotional));
        await using (var reader = await withPromotions.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) customers.Add(reader.GetString(0));
        }
        if (customers.Count == 0) return [];
        var plans = await SubscriptionPlansAsync(connection, cancellationToken, transaction);
        var firstDay = Shares.DayOf(from);
        var shares = new List<PromotionalShare>();
        foreach (var customer in customers)
        {
            var (grants, entries) = await WalletHistoryAsync(connection, transaction, customer, to, cancellationToken);
            var debits = entries.Where(e => e.Amount < 0).Select(e => new WalletReplay.Debit(e.At, -e.Amount, e.Id));
            var replay = WalletReplay.Run(grants, debits, to);
            var byId = entries.ToDictionary(e => e.Id);
            foreach (var (debit, amount) in replay.PromotionalTaken)
            {
                if (debit.At < from - LongestFeeSpan) continue;
                var entry = byId[debit.Id];
                if (entry.Kind == LedgerEntryKind.Usage)
                {
                    var usage = await UsageOfAsync(connection, transaction, entry.Reference, cancellationToken);
                    var day = Shares.DayOf(usage?.CompletedAt ?? entry.At);
                    shares.Add(new PromotionalShare(customer, day, usage?.ModelId, usage is { } served ? served.BackendId ?? "" : null, null, amount));
                }
                else if (entry.Kind == LedgerEntryKind.SubscriptionFee)
                {
                    var (start, end) = FeeSpans.Of(entry.Reference, entry.At);
                    var plan = plans.GetValueOrDefault(FeeSpans.SubscriptionOf(entry.Reference));
                    shares.AddRange(new FeeCharge(customer, plan, amount, start, end).Spread()
                        .Select(s => new PromotionalShare(customer, s.Day, null, null, plan, s.Amount)));
                }
            }
        }
        var lastDay = Shares.DayOf(to.AddTicks(-1));
        return [.. shares.Where(s => s.Day >= firstDay && s.Day <= lastDay)];
    }

    public async Task<IReadOnlyDictionary<string, string>> SubscribersAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, """
            SELECT customer_id, plan_id FROM subscriptions
            WHERE created_at < @to AND (canceled_at IS NULL OR canceled_at >= @from)
            ORDER BY created_at
            """);
        select.Bind("@from", UnixTime.ToStored(from));
        select.Bind("@to", UnixTime.ToStored(to));
        var plans = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) plans[reader.GetString(0)] = reader.GetString(1);
        return plans;
    }

    public async Task<IReadOnlyDictionary<string, Dictionary<DateTimeOffset, decimal>>> HourlyCostAsync(IReadOnlyCollection<string> backendIds,
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var byBackend = backendIds.ToDictionary(b => b, _ => new Dictionary<DateTimeOffset, decimal>(), StringComparer.Ordinal);
        if (byBackend.Count == 0) return byBackend;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, "SELECT backend_id, completed_at, cost_to_serve FROM usage_events WHERE completed_at >= @from AND completed_at < @to");
        select.Bind("@from", UnixTime.ToStored(from));
        select.Bind("@to", UnixTime.ToStored(to));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.IsDBNull(0) || !byBackend.TryGetValue(reader.GetString(0), out var hours)) continue;
            var hour = IdleCost.HourOf(UnixTime.FromStored(reader.GetInt64(1)));
            hours[hour] = hours.GetValueOrDefault(hour) + Money.Parse(reader.GetString(2));
        }
        return byBackend;
    }

    private sealed record Entry(long Id, LedgerEntryKind Kind, decimal Amount, string Reference, DateTimeOffset At);

    private static async Task<(List<Grant> Grants, List<Entry> Entries)> WalletHistoryAsync(DbConnection connection, DbTransaction transaction,
        string customerId, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var grants = new List<Grant>();
        var selectGrants = Command(connection, transaction, "SELECT id, kind, amount, created_at, expires_at FROM grants WHERE customer_id = @customer ORDER BY created_at, id");
        selectGrants.Bind("@customer", customerId);
        await using (var reader = await selectGrants.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                grants.Add(new Grant(reader.GetString(0), StoredNames.Parse<GrantKind>(reader.GetString(1)), Money.Parse(reader.GetString(2)),
                    UnixTime.FromStored(reader.GetInt64(3)), reader.IsDBNull(4) ? null : UnixTime.FromStored(reader.GetInt64(4))));
            }
        }
        // Debits are every negative entry but expiries, which the replay itself decides, and a request's
        // usage is dated when it started (as the wallet's own replay does).
        var entries = new List<Entry>();
        var selectEntries = Command(connection, transaction, """
            SELECT l.id, l.kind, l.amount, l.reference, COALESCE(u.started_at, l.created_at) FROM ledger_entries l
            LEFT JOIN usage_events u ON l.kind = @usage AND u.request_id = l.reference
            WHERE l.customer_id = @customer AND l.kind <> @expiry AND l.created_at < @to
            """);
        selectEntries.Bind("@customer", customerId);
        selectEntries.Bind("@expiry", (int)LedgerEntryKind.Expiry);
        selectEntries.Bind("@usage", (int)LedgerEntryKind.Usage);
        selectEntries.Bind("@to", UnixTime.ToStored(to));
        await using (var reader = await selectEntries.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                entries.Add(new Entry(reader.GetInt64(0), (LedgerEntryKind)reader.GetInt32(1), Money.Parse(reader.GetString(2)), reader.GetString(3),
                    UnixTime.FromStored(reader.GetInt64(4))));
            }
        }
        return (grants, entries);
    }

    private static async Task<(string ModelId, string? BackendId, DateTimeOffset CompletedAt)?> UsageOfAsync(DbConnection connection, DbTransaction transaction,
        string requestId, CancellationToken cancellationToken)
    {
        var select = Command(connection, transaction, "SELECT model_id, backend_id, completed_at FROM usage_events WHERE request_id = @id");
        select.Bind("@id", requestId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), UnixTime.FromStored(reader.GetInt64(2)));
    }

    /// <summary>Plan of every subscription by id (its current plan: a plan change re-labels the whole subscription).</summary>
    private static async Task<Dictionary<string, string>> SubscriptionPlansAsync(DbConnection connection, CancellationToken cancellationToken,
        DbTransaction? transaction = null)
    {
        var plans = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await Command(connection, transaction, "SELECT id, plan_id FROM subscriptions").ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) plans[reader.GetString(0)] = reader.GetString(1);
        return plans;
    }
}
