using System.Text.Json;
using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Limits;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlCustomerStore(SqlDatabase database) : ICustomerStore
{
    private const string KeyColumns = "id, customer_id, name, secret_hash, models, expires_at, revoked_at, created_at, budget, budget_period, rate_limits";
    private const string CustomerColumns = "id, name, billing_mode, created_at, credit_limit, monthly_budget, rate_limits";

    public Task CreateAsync(CustomerEntry customer, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            var insert = Command(connection, transaction, $"INSERT INTO customers ({CustomerColumns}) VALUES (@id, @name, @mode, @created, @credit, @budget, @limits)");
            BindCustomer(insert, customer);
            return insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task UpdateAsync(CustomerEntry customer, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            var update = Command(connection, transaction, "UPDATE customers SET name = @name, billing_mode = @mode, credit_limit = @credit, monthly_budget = @budget, rate_limits = @limits WHERE id = @id AND created_at = @created");
            BindCustomer(update, customer);
            return update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<PageOf<CustomerEntry>> ListAsync(Page page, CancellationToken cancellationToken = default) =>
        SqlPaging.ByCreationAsync(database, "customers", CustomerColumns, "1 = 1", _ => { }, page, ReadCustomer, cancellationToken);

    public Task CreateKeyAsync(KeyEntry key, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) => InsertKeyAsync(connection, transaction, key, cancellationToken), cancellationToken);

    public Task CreateKeysAsync(IReadOnlyList<(KeyEntry Key, AuditEntry Audit)> keys, CancellationToken cancellationToken = default) =>
        // The last entry's audit goes through RunAsync, which also bumps the catalog version once for the whole batch.
        RunAsync(database, keys[^1].Audit, async (connection, transaction) =>
        {
            for (var i = 0; i < keys.Count; i++)
            {
                await InsertKeyAsync(connection, transaction, keys[i].Key, cancellationToken);
                if (i < keys.Count - 1) await InsertAuditAsync(connection, transaction, keys[i].Audit, cancellationToken);
            }
        }, cancellationToken);

    public Task UpdateKeyAsync(KeyEntry key, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) => UpdateKeyAsync(connection, transaction, key, cancellationToken), cancellationToken);

    public Task RotateKeyAsync(KeyEntry replaced, KeyEntry replacement, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            await UpdateKeyAsync(connection, transaction, replaced, cancellationToken);
            await InsertKeyAsync(connection, transaction, replacement, cancellationToken);
        }, cancellationToken);

    public async Task<KeyEntry?> GetKeyAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {KeyColumns} FROM api_keys WHERE id = @id");
        select.Bind("@id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadKey(reader) : null;
    }

    public Task<PageOf<KeyEntry>> ListKeysAsync(string? customerId, Page page, CancellationToken cancellationToken = default) =>
        SqlPaging.ByCreationAsync(database, "api_keys", KeyColumns, "CAST(@customer AS TEXT) IS NULL OR customer_id = @customer",
            select => select.Bind("@customer", (object?)customerId ?? DBNull.Value), page, ReadKey, cancellationToken);

    /// <summary>Reads all customers and keys for the snapshot.</summary>
    internal static async Task<(List<CustomerEntry> Customers, List<KeyEntry> Keys)> ReadAllAsync(
        DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var customers = new List<CustomerEntry>();
        await using (var reader = await Command(connection, transaction, $"SELECT {CustomerColumns} FROM customers").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) customers.Add(ReadCustomer(reader));
        }
        var keys = new List<KeyEntry>();
        await using (var reader = await Command(connection, transaction, $"SELECT {KeyColumns} FROM api_keys").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) keys.Add(ReadKey(reader));
        }
        return (customers, keys);
    }

    private static Task InsertKeyAsync(DbConnection connection, DbTransaction transaction, KeyEntry key, CancellationToken cancellationToken)
    {
        var insert = Command(connection, transaction, $"""
            INSERT INTO api_keys ({KeyColumns}) VALUES (@id, @customer, @name, @hash, @models, @expires, @revoked, @created, @budget, @period, @limits)
            """);
        BindKey(insert, key);
        return insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Task UpdateKeyAsync(DbConnection connection, DbTransaction transaction, KeyEntry key, CancellationToken cancellationToken)
    {
        // The secret's hash, owner and creation time never change: rotation makes a new key.
        var update = Command(connection, transaction, """
            UPDATE api_keys SET name = @name, models = @models, expires_at = @expires, revoked_at = @revoked, budget = @budget, budget_period = @period, rate_limits = @limits
            WHERE id = @id AND customer_id = @customer AND secret_hash = @hash AND created_at = @created
            """);
        BindKey(update, key);
        return update.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void BindCustomer(DbCommand command, CustomerEntry customer)
    {
        command.Bind("@id", customer.Id);
        command.Bind("@name", customer.Name);
        command.Bind("@mode", StoredNames.Of(customer.BillingMode));
        command.Bind("@created", UnixTime.ToStored(customer.CreatedAt));
        command.Bind("@credit", StoredMoney(customer.CreditLimit));
        command.Bind("@budget", StoredMoney(customer.MonthlyBudget));
        command.Bind("@limits", StoredLimits(customer.Limits));
    }

    private static void BindKey(DbCommand command, KeyEntry key)
    {
        command.Bind("@id", key.Id);
        command.Bind("@customer", key.CustomerId);
        command.Bind("@name", key.Name);
        command.Bind("@hash", key.SecretHash);
        command.Bind("@models", key.Models is null ? DBNull.Value
            : JsonSerializer.Serialize(key.Models.Order(StringComparer.Ordinal).ToArray(), TollgateJson.Default.StringArray));
        command.Bind("@expires", UnixTime.ToStoredOrNull(key.ExpiresAt));
        command.Bind("@revoked", UnixTime.ToStoredOrNull(key.RevokedAt));
        command.Bind("@created", UnixTime.ToStored(key.CreatedAt));
        command.Bind("@budget", StoredMoney(key.Budget));
        command.Bind("@period", key.Budget is null ? DBNull.Value : StoredNames.Of(key.BudgetPeriod));
        command.Bind("@limits", StoredLimits(key.Limits));
    }

    private static object StoredLimits(RateLimits? limits) =>
        limits is null || limits.IsEmpty ? DBNull.Value : JsonSerializer.Serialize(limits, TollgateJson.Default.RateLimits);

    private static RateLimits? ReadLimits(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : JsonSerializer.Deserialize(reader.GetString(column), TollgateJson.Default.RateLimits);

    private static object StoredMoney(decimal? amount) => amount is { } a ? Money.Format(a) : DBNull.Value;

    private static decimal? ReadMoney(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : Money.Parse(reader.GetString(column));

    private static CustomerEntry ReadCustomer(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), StoredNames.Parse<BillingMode>(reader.GetString(2)), UnixTime.FromStored(reader.GetInt64(3)))
        {
            CreditLimit = ReadMoney(reader, 4),
            MonthlyBudget = ReadMoney(reader, 5),
            Limits = ReadLimits(reader, 6),
        };

    private static KeyEntry ReadKey(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), (byte[])reader[3],
        reader.IsDBNull(4) ? null : JsonSerializer.Deserialize(reader.GetString(4), TollgateJson.Default.StringArray)!.ToHashSet(StringComparer.Ordinal),
        reader.IsDBNull(5) ? null : UnixTime.FromStored(reader.GetInt64(5)),
        reader.IsDBNull(6) ? null : UnixTime.FromStored(reader.GetInt64(6)),
        UnixTime.FromStored(reader.GetInt64(7)))
    {
        Budget = ReadMoney(reader, 8),
        BudgetPeriod = reader.IsDBNull(9) ? BudgetPeriod.Monthly : StoredNames.Parse<BudgetPeriod>(reader.GetString(9)),
        Limits = ReadLimits(reader, 10),
    };
}
