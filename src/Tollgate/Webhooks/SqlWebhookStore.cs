using System.Data.Common;
using Tollgate.Storage;
using Tollgate.Storage.Sql;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Webhooks;

internal sealed class SqlWebhookStore(SqlDatabase database, SigningSecrets secrets) : IWebhookStore
{
    private const string EndpointColumns =
        "id, url, description, events, enabled, secret, previous_secret, previous_secret_expires_at, secret_rotated_at, created_at, deleted_at";
    private const string DeliveryColumns =
        "d.id, d.endpoint_id, d.event_id, e.type, d.status, d.attempts, d.next_attempt_at, d.last_status_code, d.last_error, d.delivered_at, d.created_at";
    private const string EventColumns = "id, type, payload, created_at, idempotency_key";

    public Task CreateEndpointAsync(WebhookEndpoint endpoint, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            var insert = Command(connection, transaction, $"""
                INSERT INTO webhook_endpoints ({EndpointColumns})
                VALUES (@id, @url, @description, @events, @enabled, @secret, @previous, @previousExpires, @rotated, @created, NULL)
                """);
            BindEndpoint(insert, endpoint);
            return insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task UpdateEndpointAsync(WebhookEndpoint endpoint, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            var update = Command(connection, transaction, """
                UPDATE webhook_endpoints SET url = @url, description = @description, events = @events, enabled = @enabled, secret = @secret,
                    previous_secret = @previous, previous_secret_expires_at = @previousExpires, secret_rotated_at = @rotated
                WHERE id = @id AND deleted_at IS NULL
                """);
            BindEndpoint(update, endpoint);
            return update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task DeleteEndpointAsync(string endpointId, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var delete = Command(connection, transaction, "UPDATE webhook_endpoints SET deleted_at = @at WHERE id = @id AND deleted_at IS NULL");
            delete.Bind("@id", endpointId);
            delete.Bind("@at", UnixTime.ToStored(at));
            await delete.ExecuteNonQueryAsync(cancellationToken);
            var cancel = Command(connection, transaction, """
                UPDATE webhook_deliveries SET status = @failed, next_attempt_at = NULL, last_error = 'The endpoint was deleted.'
                WHERE endpoint_id = @id AND status = @pending
                """);
            cancel.Bind("@id", endpointId);
            cancel.Bind("@failed", StoredNames.Of(WebhookDeliveryStatus.Failed));
            cancel.Bind("@pending", StoredNames.Of(WebhookDeliveryStatus.Pending));
            await cancel.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<WebhookEndpoint?> GetEndpointAsync(string endpointId, CancellationToken cancellationToken = default) =>
        FindAsync($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE id = @id", endpointId, ReadEndpoint, cancellationToken);

    public async Task<PageOf<WebhookEndpoint>> ListEndpointsAsync(Page page, CancellationToken cancellationToken = default) =>
        PageOf<WebhookEndpoint>.FromOverfetch(await QueryAsync($"""
            SELECT {EndpointColumns} FROM webhook_endpoints
            WHERE deleted_at IS NULL
              AND (CAST(@after AS TEXT) IS NULL OR (created_at, id) > (SELECT created_at, id FROM webhook_endpoints WHERE id = @after))
            ORDER BY created_at, id LIMIT @limit
            """, select => BindPage(select, page), ReadEndpoint, cancellationToken), page.Limit);

    public async Task<int> AddEventsAsync(IReadOnlyList<WebhookEvent> events, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var deliveries = 0;
        await RunAsync(database, null, async (connection, transaction) =>
        {
            foreach (var webhookEvent in events) deliveries += await InsertEventAsync(connection, transaction, webhookEvent, now, cancellationToken);
        }, cancellationToken);
        return deliveries;
    }

    /// <summary>
    /// Stores an event and fans it out to the subscribed endpoints inside the caller's transaction, so
    /// a change and the event announcing it commit together (an invoice run finalizing an invoice, say).
    /// Wake the dispatcher after the commit. Returns the deliveries created; 0 if the idempotency key was seen before.
    /// </summary>
    public static async Task<int> InsertEventAsync(DbConnection connection, DbTransaction transaction, WebhookEvent webhookEvent, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (!await TryInsertEventAsync(connection, transaction, webhookEvent, cancellationToken)) return 0;
        var subscribed = new List<string>();
        var select = Command(connection, transaction, "SELECT id, events FROM webhook_endpoints WHERE enabled = 1 AND deleted_at IS NULL");
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (WebhookEventTypes.Matches(SplitEvents(reader.GetString(1)), webhookEvent.Type)) subscribed.Add(reader.GetString(0));
            }
        }
        foreach (var endpointId in subscribed) await InsertDeliveryAsync(connection, transaction, WebhookDelivery.NewId(), endpointId, webhookEvent.Id, now, cancellationToken);
        return subscribed.Count;
    }

    public Task AddDeliveryAsync(WebhookEvent? newEvent, WebhookDelivery delivery, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            if (newEvent is not null) await TryInsertEventAsync(connection, transaction, newEvent, cancellationToken);
            await InsertDeliveryAsync(connection, transaction, delivery.Id, delivery.EndpointId, delivery.EventId, delivery.CreatedAt, cancellationToken);
        }, cancellationToken);

    // 'pending' written out, as the partial index on due deliveries is declared.
    public async Task<IReadOnlyList<DueDelivery>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        await QueryAsync("""
            SELECT d.id, d.endpoint_id, d.event_id, e.type, d.attempts, e.payload, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at
            FROM webhook_deliveries d
            JOIN webhook_events e ON e.id = d.event_id
            JOIN webhook_endpoints w ON w.id = d.endpoint_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND w.enabled = 1 AND w.deleted_at IS NULL
            ORDER BY d.next_attempt_at, d.id LIMIT @limit
            """, select =>
            {
                select.Bind("@now", UnixTime.ToStored(now));
                select.Bind("@limit", limit);
            }, reader =>
            {
                List<string> signing = [secrets.Open((byte[])reader[7])];
                if (!reader.IsDBNull(8) && StoredTime(reader, 9) > now) signing.Add(secrets.Open((byte[])reader[8]));
                return new DueDelivery(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                    reader.GetString(5), reader.GetString(6), signing);
            }, cancellationToken);

    public Task RecordAttemptAsync(AttemptOutcome outcome, CancellationToken cancellationToken = default) =>
        RunAsync(database, null, async (connection, transaction) =>
        {
            var attempt = outcome.Attempt;
            var insert = Command(connection, transaction, """
                INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
                VALUES (@delivery, @attempt, @at, @code, @error, @duration)
                ON CONFLICT (delivery_id, attempt) DO NOTHING
                """);
            insert.Bind("@delivery", outcome.DeliveryId);
            insert.Bind("@attempt", attempt.Attempt);
            insert.Bind("@at", UnixTime.ToStored(attempt.At));
            insert.Bind("@code", (object?)attempt.StatusCode ?? DBNull.Value);
            insert.Bind("@error", (object?)attempt.Error ?? DBNull.Value);
            insert.Bind("@duration", attempt.DurationMs);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            // Only a delivery still pending moves: one failed by its endpoint's deletion meanwhile stays failed.
            var update = Command(connection, transaction, """
                UPDATE webhook_deliveries SET status = @status, attempts = @attempt, next_attempt_at = @next,
                    last_status_code = @code, last_error = @error, delivered_at = @delivered
                WHERE id = @delivery AND status = @pending
                """);
            update.Bind("@delivery", outcome.DeliveryId);
            update.Bind("@status", StoredNames.Of(outcome.Status));
            update.Bind("@pending", StoredNames.Of(WebhookDeliveryStatus.Pending));
            update.Bind("@attempt", attempt.Attempt);
            update.Bind("@next", UnixTime.ToStoredOrNull(outcome.NextAttemptAt));
            update.Bind("@code", (object?)attempt.StatusCode ?? DBNull.Value);
            update.Bind("@error", (object?)attempt.Error ?? DBNull.Value);
            update.Bind("@delivered", outcome.Status == WebhookDeliveryStatus.Succeeded ? UnixTime.ToStored(attempt.At) : DBNull.Value);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<PageOf<WebhookDelivery>> ListDeliveriesAsync(DeliveryFilter filter, Page page, CancellationToken cancellationToken = default) =>
        PageOf<WebhookDelivery>.FromOverfetch(await QueryAsync($"""
            SELECT {DeliveryColumns} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
            WHERE (CAST(@endpoint AS TEXT) IS NULL OR d.endpoint_id = @endpoint) AND (CAST(@status AS TEXT) IS NULL OR d.status = @status) AND (CAST(@event AS TEXT) IS NULL OR d.event_id = @event)
              AND (CAST(@after AS TEXT) IS NULL OR (d.created_at, d.{database.InsertionOrder}) < (SELECT created_at, {database.InsertionOrder} FROM webhook_deliveries WHERE id = @after))
            ORDER BY d.created_at DESC, d.{database.InsertionOrder} DESC LIMIT @limit
            """, select =>
            {
                select.Bind("@endpoint", (object?)filter.EndpointId ?? DBNull.Value);
                select.Bind("@status", filter.Status is { } status ? StoredNames.Of(status) : DBNull.Value);
                select.Bind("@event", (object?)filter.EventId ?? DBNull.Value);
                BindPage(select, page);
            }, ReadDelivery, cancellationToken), page.Limit);

    public Task<WebhookDelivery?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken = default) =>
        FindAsync($"SELECT {DeliveryColumns} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.id = @id", deliveryId, ReadDelivery,
            cancellationToken);

    public async Task<IReadOnlyList<WebhookAttempt>> ListAttemptsAsync(string deliveryId, CancellationToken cancellationToken = default) =>
        await QueryAsync("SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id = @id ORDER BY attempt",
            select => select.Bind("@id", deliveryId),
            reader => new WebhookAttempt(reader.GetInt32(0), UnixTime.FromStored(reader.GetInt64(1)), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4)), cancellationToken);

    public async Task<PageOf<WebhookEvent>> ListEventsAsync(string? type, Page page, CancellationToken cancellationToken = default) =>
        PageOf<WebhookEvent>.FromOverfetch(await QueryAsync($"""
            SELECT {EventColumns} FROM webhook_events
            WHERE (CAST(@type AS TEXT) IS NULL OR type = @type)
              AND (CAST(@after AS TEXT) IS NULL OR (created_at, {database.InsertionOrder}) < (SELECT created_at, {database.InsertionOrder} FROM webhook_events WHERE id = @after))
            ORDER BY created_at DESC, {database.InsertionOrder} DESC LIMIT @limit
            """, select =>
            {
                select.Bind("@type", (object?)type ?? DBNull.Value);
                BindPage(select, page);
            }, ReadEvent, cancellationToken), page.Limit);

    public Task<WebhookEvent?> GetEventAsync(string eventId, CancellationToken cancellationToken = default) =>
        FindAsync($"SELECT {EventColumns} FROM webhook_events WHERE id = @id", eventId, ReadEvent, cancellationToken);

    private async Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, sql);
        bind(select);
        var rows = new List<T>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add(read(reader));
        return rows;
    }

    /// <summary>The one row whose id is <paramref name="id"/>, or null.</summary>
    private async Task<T?> FindAsync<T>(string sql, string id, Func<DbDataReader, T> read, CancellationToken cancellationToken) where T : class =>
        (await QueryAsync(sql, select => select.Bind("@id", id), read, cancellationToken)).SingleOrDefault();

    private static async Task<bool> TryInsertEventAsync(DbConnection connection, DbTransaction transaction, WebhookEvent webhookEvent,
        CancellationToken cancellationToken)
    {
        var insert = Command(connection, transaction, $"""
            INSERT INTO webhook_events ({EventColumns}) VALUES (@id, @type, @payload, @created, @key)
            ON CONFLICT (idempotency_key) DO NOTHING
            """);
        insert.Bind("@id", webhookEvent.Id);
        insert.Bind("@type", webhookEvent.Type);
        insert.Bind("@payload", webhookEvent.Payload);
        insert.Bind("@created", UnixTime.ToStored(webhookEvent.CreatedAt));
        insert.Bind("@key", (object?)webhookEvent.IdempotencyKey ?? DBNull.Value);
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static Task InsertDeliveryAsync(DbConnection connection, DbTransaction transaction, string id, string endpointId, string eventId,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var insert = Command(connection, transaction, """
            INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
            VALUES (@id, @endpoint, @event, @pending, 0, @now, @now)
            """);
        insert.Bind("@id", id);
        insert.Bind("@endpoint", endpointId);
        insert.Bind("@event", eventId);
        insert.Bind("@pending", StoredNames.Of(WebhookDeliveryStatus.Pending));
        insert.Bind("@now", UnixTime.ToStored(now));
        return insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private void BindEndpoint(DbCommand command, WebhookEndpoint endpoint)
    {
        command.Bind("@id", endpoint.Id);
        command.Bind("@url", endpoint.Url);
        command.Bind("@description", (object?)endpoint.Description ?? DBNull.Value);
        command.Bind("@events", string.Join(' ', endpoint.Events));
        command.Bind("@enabled", endpoint.Enabled ? 1 : 0);
        command.Bind("@secret", secrets.Seal(endpoint.Secret));
        command.Bind("@previous", endpoint.PreviousSecret is { } previous ? secrets.Seal(previous) : DBNull.Value);
        command.Bind("@previousExpires", UnixTime.ToStoredOrNull(endpoint.PreviousSecretExpiresAt));
        command.Bind("@rotated", UnixTime.ToStoredOrNull(endpoint.SecretRotatedAt));
        command.Bind("@created", UnixTime.ToStored(endpoint.CreatedAt));
    }

    private static void BindPage(DbCommand command, Page page)
    {
        command.Bind("@after", (object?)page.StartingAfter ?? DBNull.Value);
        command.Bind("@limit", page.Limit + 1);
    }

    private WebhookEndpoint ReadEndpoint(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), SplitEvents(reader.GetString(3)),
            reader.GetInt64(4) == 1, secrets.Open((byte[])reader[5]), UnixTime.FromStored(reader.GetInt64(9)))
        {
            PreviousSecret = reader.IsDBNull(6) ? null : secrets.Open((byte[])reader[6]),
            PreviousSecretExpiresAt = StoredTime(reader, 7),
            SecretRotatedAt = StoredTime(reader, 8),
            DeletedAt = StoredTime(reader, 10),
        };

    private static WebhookDelivery ReadDelivery(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), StoredNames.Parse<WebhookDeliveryStatus>(reader.GetString(4)),
            reader.GetInt32(5), StoredTime(reader, 6), reader.IsDBNull(7) ? null : reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetString(8),
            StoredTime(reader, 9), UnixTime.FromStored(reader.GetInt64(10)));

    private static WebhookEvent ReadEvent(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), UnixTime.FromStored(reader.GetInt64(3)), reader.IsDBNull(4) ? null : reader.GetString(4));

    private static DateTimeOffset? StoredTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : UnixTime.FromStored(reader.GetInt64(ordinal));

    private static string[] SplitEvents(string stored) => stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
