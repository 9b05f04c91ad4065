using System.Text.Json;
using Npgsql;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Limits;
using static Tollgate.Storage.Postgres.PostgresWrites;

namespace Tollgate.Storage.Postgres;

internal sealed class PostgresCustomerStore(PostgresDatabase database) : ICustomerStore
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
        PostgresPaging.ByCreationAsync(database, "customers", CustomerColumns, "1 = 1", _ => { }, page, ReadCustomer, cancellationToken);

    public Task CreateKeyAsync(KeyEntry key, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) => InsertKeyAsync(connection, transaction, key, cancellationToken), cancellationToken);

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
        await using var connection = await database.OpenAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {KeyColumns} FROM api_keys WHERE id = @id");
        select.Parameters.AddWithValue("@id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadKey(reader) : null;
    }

    public Task<PageOf<KeyEntry>> ListKeysAsync(string? customerId, Page page, CancellationToken cancellationToken = default) =>
        PostgresPaging.ByCreationAsync(database, "api_keys", KeyColumns, "@customer::text IS NULL OR customer_id = @customer",
            select => select.Parameters.AddWithValue("@customer", (object?)customerId ?? DBNull.Value), page, ReadKey, cancellationToken);

    /// <summary>Reads all customers and keys for the snapshot.</summary>
    internal static async Task<(List<CustomerEntry> Customers, List<KeyEntry> Keys)> ReadAllAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
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

    private static Task InsertKeyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, KeyEntry key, CancellationToken cancellationToken)
    {
        var insert = Command(connection, transaction, $"""
            INSERT INTO api_keys ({KeyColumns}) VALUES (@id, @customer, @name, @hash, @models, @expires, @revoked, @created, @budget, @period, @limits)
            """);
        BindKey(insert, key);
        return insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Task UpdateKeyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, KeyEntry key, CancellationToken cancellationToken)
    {
        // The secret's hash, owner and creation time never change: rotation makes a new key.
        var update = Command(connection, transaction, """
            UPDATE api_keys SET name = @name, models = @models, expires_at = @expires, revoked_at = @revoked, budget = @budget, budget_period = @period, rate_limits = @limits
            WHERE id = @id AND customer_id = @customer AND secret_hash = @hash AND created_at = @created
            """);
        BindKey(update, key);
        return update.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void BindCustomer(NpgsqlCommand command, CustomerEntry customer)
    {
        command.Parameters.AddWithValue("@id", customer.Id);
        command.Parameters.AddWithValue("@name", customer.Name);
        command.Parameters.AddWithValue("@mode", StoredNames.Of(customer.BillingMode));
        command.Parameters.AddWithValue("@created", UnixTime.ToStored(customer.CreatedAt));
        command.Parameters.AddWithValue("@credit", StoredMoney(customer.CreditLimit));
        command.Parameters.AddWithValue("@budget", StoredMoney(customer.MonthlyBudget));
        command.Parameters.AddWithValue("@limits", StoredLimits(customer.Limits));
    }

    private static void BindKey(NpgsqlCommand command, KeyEntry key)
    {
        command.Parameters.AddWithValue("@id", key.Id);
        command.Parameters.AddWithValue("@customer", key.CustomerId);
        command.Parameters.AddWithValue("@name", key.Name);
        command.Parameters.AddWithValue("@hash", key.SecretHash);
        command.Parameters.AddWithValue("@models", key.Models is null ? DBNull.Value
            : JsonSerializer.Serialize(key.Models.Order(StringComparer.Ordinal).ToArray(), TollgateJson.Default.StringArray));
        command.Parameters.AddWithValue("@expires", UnixTime.ToStoredOrNull(key.ExpiresAt));
        command.Parameters.AddWithValue("@revoked", UnixTime.ToStoredOrNull(key.RevokedAt));
        command.Parameters.AddWithValue("@created", UnixTime.ToStored(key.CreatedAt));
        command.Parameters.AddWithValue("@budget", StoredMoney(key.Budget));
        command.Parameters.AddWithValue("@period", key.Budget is null ? DBNull.Value : StoredNames.Of(key.BudgetPeriod));
        command.Parameters.AddWithValue("@limits", StoredLimits(key.Limits));
    }

    private static object StoredLimits(RateLimits? limits) =>
        limits is null || limits.IsEmpty ? DBNull.Value : JsonSerializer.Serialize(limits, TollgateJson.Default.RateLimits);

    private static RateLimits? ReadLimits(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : JsonSerializer.Deserialize(reader.GetString(column), TollgateJson.Default.RateLimits);

    private static object StoredMoney(decimal? amount) => amount is { } a ? Money.Format(a) : DBNull.Value;

    private static decimal? ReadMoney(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : Money.Parse(reader.GetString(column));

    private static CustomerEntry ReadCustomer(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), StoredNames.Parse<BillingMode>(reader.GetString(2)), UnixTime.FromStored(reader.GetInt64(3)))
        {
            CreditLimit = ReadMoney(reader, 4),
            MonthlyBudget = ReadMoney(reader, 5),
            Limits = ReadLimits(reader, 6),
        };

    private static KeyEntry ReadKey(NpgsqlDataReader reader) => new(
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
