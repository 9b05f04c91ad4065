using System.Globalization;
using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Contracts;
using Tollgate.Contracts;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlContractStore(SqlDatabase database) : IContractStore
{
    public Task SaveContractAsync(Contract c, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction, """
                INSERT INTO contracts (id, customer_id, starts_at, ends_at, cancelled_at, definition, created_at, updated_at)
                VALUES (@id, @customer, @starts, @ends, @cancelled, @definition, @created, @at)
                ON CONFLICT (id) DO UPDATE SET ends_at = excluded.ends_at, cancelled_at = excluded.cancelled_at, definition = excluded.definition,
                    updated_at = excluded.updated_at
                """);
            upsert.Bind("@id", c.Id);
            upsert.Bind("@customer", c.CustomerId);
            upsert.Bind("@starts", UnixTime.ToStored(c.StartsAt));
            upsert.Bind("@ends", UnixTime.ToStored(c.EndsAt));
            upsert.Bind("@cancelled", UnixTime.ToStoredOrNull(c.CancelledAt));
            upsert.Bind("@definition", ContractTerms.ToJson(c));
            upsert.Bind("@created", UnixTime.ToStored(c.CreatedAt));
            upsert.Bind("@at", UnixTime.ToStored(audit.At));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task PutGateRuleAsync(GateRule rule, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction, """
                INSERT INTO gate_rules (model_id, definition, updated_at) VALUES (@model, @definition, @at)
                ON CONFLICT (model_id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
                """);
            upsert.Bind("@model", rule.ModelId);
            upsert.Bind("@definition", System.Text.Json.JsonSerializer.Serialize(GateRuleDto.From(rule), ContractJson.Default.GateRuleDto));
            upsert.Bind("@at", UnixTime.ToStored(audit.At));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task DeleteGateRuleAsync(string modelId, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var delete = Command(connection, transaction, "DELETE FROM gate_rules WHERE model_id = @model");
            delete.Bind("@model", modelId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task SaveInvitationAsync(GateInvitation i, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction, """
                INSERT INTO gate_invitations (id, customer_id, model_id, expires_at, note, created_at, revoked_at)
                VALUES (@id, @customer, @model, @expires, @note, @created, @revoked)
                ON CONFLICT (id) DO UPDATE SET revoked_at = excluded.revoked_at
                """);
            upsert.Bind("@id", i.Id);
            upsert.Bind("@customer", i.CustomerId);
            upsert.Bind("@model", i.ModelId);
            upsert.Bind("@expires", UnixTime.ToStored(i.ExpiresAt));
            upsert.Bind("@note", (object?)i.Note ?? DBNull.Value);
            upsert.Bind("@created", UnixTime.ToStored(i.CreatedAt));
            upsert.Bind("@revoked", UnixTime.ToStoredOrNull(i.RevokedAt));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<GateInvitation>> InvitationsAsync(string? customerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await ReadInvitationsAsync(connection, null, customerId, liveOnly: false, cancellationToken);
    }

    public async Task<IReadOnlyList<(string CustomerId, DateOnly Day, decimal Charged)>> DailySpendAsync(DateOnly sinceDay,
        IReadOnlyCollection<string> excludedModels, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, "SELECT customer_id, day, model_id, charged_amount FROM usage_rollups WHERE day >= @since");
        select.Bind("@since", sinceDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        // Summed here in decimal: amounts are stored as exact decimal text.
        var sums = new Dictionary<(string, DateOnly), decimal>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (excludedModels.Contains(reader.GetString(2))) continue;
            var key = (reader.GetString(0), DateOnly.ParseExact(reader.GetString(1), "yyyy-MM-dd", CultureInfo.InvariantCulture));
            sums[key] = sums.GetValueOrDefault(key) + Money.Parse(reader.GetString(3));
        }
        return [.. sums.Select(s => (s.Key.Item1, s.Key.Item2, s.Value))];
    }

    /// <summary>Contracts, gate rules and unrevoked invitations, for the catalog snapshot.</summary>
    public static async Task<(List<Contract> Contracts, List<GateRule> Rules, IReadOnlyList<GateInvitation> Invitations)> ReadAllAsync(
        DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var contracts = new List<Contract>();
        await using (var reader = await Command(connection, transaction,
            "SELECT id, customer_id, starts_at, ends_at, cancelled_at, definition, created_at FROM contracts ORDER BY starts_at, id").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                contracts.Add(ContractTerms.Parse(reader.GetString(5), reader.GetString(0), reader.GetString(1), UnixTime.FromStored(reader.GetInt64(2)),
                    UnixTime.FromStored(reader.GetInt64(3)), reader.IsDBNull(4) ? null : UnixTime.FromStored(reader.GetInt64(4)),
                    UnixTime.FromStored(reader.GetInt64(6))));
            }
        }
        var rules = new List<GateRule>();
        await using (var reader = await Command(connection, transaction, "SELECT model_id, definition FROM gate_rules").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                var dto = System.Text.Json.JsonSerializer.Deserialize(reader.GetString(1), ContractJson.Default.GateRuleDto);
                var (rule, error, _) = dto?.ToRule(id) ?? (null, "empty", null);
                rules.Add(rule ?? throw new InvalidDataException($"Stored gate rule of '{id}' is invalid: {error}"));
            }
        }
        return (contracts, rules, await ReadInvitationsAsync(connection, transaction, null, liveOnly: true, cancellationToken));
    }

    private static async Task<IReadOnlyList<GateInvitation>> ReadInvitationsAsync(DbConnection connection, DbTransaction? transaction, string? customerId,
        bool liveOnly, CancellationToken cancellationToken)
    {
        var where = (customerId is null ? "1 = 1" : "customer_id = @customer") + (liveOnly ? " AND revoked_at IS NULL" : "");
        var select = Command(connection, transaction, $"""
            SELECT id, customer_id, model_id, expires_at, note, created_at, revoked_at FROM gate_invitations WHERE {where} ORDER BY created_at DESC, id
            """);
        if (customerId is not null) select.Bind("@customer", customerId);
        var invitations = new List<GateInvitation>();
        await using var r = await select.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            invitations.Add(new GateInvitation(r.GetString(0), r.GetString(1), r.GetString(2), UnixTime.FromStored(r.GetInt64(3)), r.IsDBNull(4) ? null : r.GetString(4),
                UnixTime.FromStored(r.GetInt64(5))) { RevokedAt = r.IsDBNull(6) ? null : UnixTime.FromStored(r.GetInt64(6)) });
        }
        return invitations;
    }
}
