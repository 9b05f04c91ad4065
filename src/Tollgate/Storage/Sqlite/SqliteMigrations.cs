using Microsoft.Data.Sqlite;

namespace Tollgate.Storage.Sqlite;

/// <summary>
/// Versioned schema, applied at start inside one transaction per step. The applied version
/// is SQLite's <c>user_version</c>. Steps are append-only: never edit one that has shipped.
/// </summary>
internal static class SqliteMigrations
{
    /// <summary>Times are Unix milliseconds (UTC); money is decimal text, never a float.</summary>
    private static readonly string[] Steps =
    [
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE customers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            billing_mode TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            name TEXT NOT NULL,
            secret_hash BLOB NOT NULL,
            models TEXT,
            expires_at INTEGER,
            revoked_at INTEGER,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX api_keys_customer ON api_keys(customer_id);
        CREATE TABLE models (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            tier TEXT NOT NULL,
            tokenizer TEXT NOT NULL,
            max_output_tokens INTEGER NOT NULL,
            owned_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            retired_at INTEGER
        );
        CREATE TABLE backends (
            id TEXT PRIMARY KEY,
            model_id TEXT NOT NULL REFERENCES models(id),
            priority INTEGER NOT NULL,
            kind TEXT NOT NULL,
            settings TEXT NOT NULL
        );
        CREATE INDEX backends_model ON backends(model_id, priority);
        CREATE TABLE price_cards (
            version INTEGER PRIMARY KEY AUTOINCREMENT,
            model_id TEXT NOT NULL REFERENCES models(id),
            effective_from INTEGER NOT NULL,
            input_per_million TEXT NOT NULL,
            cached_input_per_million TEXT NOT NULL,
            output_per_million TEXT NOT NULL,
            request_fee TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX price_cards_model ON price_cards(model_id, effective_from);
        CREATE TABLE cost_cards (
            version INTEGER PRIMARY KEY AUTOINCREMENT,
            backend_id TEXT NOT NULL REFERENCES backends(id),
            effective_from INTEGER NOT NULL,
            input_per_million TEXT NOT NULL,
            cached_input_per_million TEXT NOT NULL,
            output_per_million TEXT NOT NULL,
            request_fee TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX cost_cards_backend ON cost_cards(backend_id, effective_from);
        CREATE TABLE usage_events (
            request_id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL,
            key_id TEXT NOT NULL,
            model_id TEXT NOT NULL,
            backend_id TEXT,
            price_version INTEGER,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            units INTEGER NOT NULL,
            list_amount TEXT NOT NULL,
            charged_amount TEXT NOT NULL,
            cost_to_serve TEXT NOT NULL,
            status TEXT NOT NULL,
            source TEXT NOT NULL,
            streamed INTEGER NOT NULL,
            latency_ms INTEGER NOT NULL,
            ttft_ms INTEGER,
            started_at INTEGER NOT NULL,
            completed_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX usage_events_customer_time ON usage_events(customer_id, completed_at);
        CREATE INDEX usage_events_time ON usage_events(completed_at);
        CREATE TABLE ledger_entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            customer_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            amount TEXT NOT NULL,
            reference TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            UNIQUE (kind, reference)
        );
        CREATE INDEX ledger_entries_customer ON ledger_entries(customer_id, created_at);
        CREATE TABLE admin_tokens (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            secret_hash BLOB NOT NULL,
            scopes TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        """,
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target_type TEXT NOT NULL,
            target_id TEXT NOT NULL,
            before TEXT,
            after TEXT,
            at INTEGER NOT NULL
        );
        CREATE INDEX audit_log_target ON audit_log(target_type, target_id, id);
        CREATE TABLE idempotency_keys (
            actor TEXT NOT NULL,
            key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            status INTEGER,
            content_type TEXT,
            body BLOB,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (actor, key)
        );
        CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
        """,
        """
        ALTER TABLE customers ADD COLUMN credit_limit TEXT;
        ALTER TABLE customers ADD COLUMN monthly_budget TEXT;
        ALTER TABLE api_keys ADD COLUMN budget TEXT;
        ALTER TABLE api_keys ADD COLUMN budget_period TEXT;
        CREATE TABLE grants (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            kind TEXT NOT NULL,
            amount TEXT NOT NULL,
            expires_at INTEGER,
            note TEXT,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX grants_customer ON grants(customer_id, created_at);
        CREATE INDEX grants_expiry ON grants(expires_at) WHERE expires_at IS NOT NULL;
        CREATE INDEX usage_events_key_time ON usage_events(key_id, completed_at);
        """,
        """
        CREATE TABLE webhook_endpoints (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            description TEXT,
            events TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            secret BLOB NOT NULL,
            previous_secret BLOB,
            previous_secret_expires_at INTEGER,
            secret_rotated_at INTEGER,
            created_at INTEGER NOT NULL,
            deleted_at INTEGER
        );
        CREATE TABLE webhook_events (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            idempotency_key TEXT UNIQUE
        );
        CREATE INDEX webhook_events_time ON webhook_events(created_at);
        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
            event_id TEXT NOT NULL REFERENCES webhook_events(id),
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at INTEGER,
            last_status_code INTEGER,
            last_error TEXT,
            delivered_at INTEGER,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
        CREATE INDEX webhook_deliveries_time ON webhook_deliveries(created_at);
        CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at);
        CREATE INDEX webhook_deliveries_event ON webhook_deliveries(event_id);
        CREATE TABLE webhook_attempts (
            delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id),
            attempt INTEGER NOT NULL,
            at INTEGER NOT NULL,
            status_code INTEGER,
            error TEXT,
            duration_ms INTEGER NOT NULL,
            PRIMARY KEY (delivery_id, attempt)
        ) WITHOUT ROWID;
        """,
        """
        ALTER TABLE customers ADD COLUMN rate_limits TEXT;
        ALTER TABLE api_keys ADD COLUMN rate_limits TEXT;
        """,
        """
        CREATE TABLE usage_rollups (
            customer_id TEXT NOT NULL,
            billing_period TEXT NOT NULL,
            day TEXT NOT NULL,
            model_id TEXT NOT NULL,
            backend_id TEXT NOT NULL,
            price_version INTEGER NOT NULL,
            requests INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            units INTEGER NOT NULL,
            list_amount TEXT NOT NULL,
            charged_amount TEXT NOT NULL,
            cost_to_serve TEXT NOT NULL,
            PRIMARY KEY (customer_id, billing_period, day, model_id, backend_id, price_version)
        ) WITHOUT ROWID;
        CREATE INDEX usage_rollups_day ON usage_rollups(day);
        CREATE TABLE counters (
            name TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE invoices (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            period TEXT NOT NULL,
            billing_mode TEXT NOT NULL,
            status TEXT NOT NULL,
            number TEXT UNIQUE,
            total TEXT NOT NULL,
            amount_paid TEXT NOT NULL,
            credit_note_number TEXT UNIQUE,
            void_reason TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            finalized_at INTEGER,
            paid_at INTEGER,
            voided_at INTEGER
        );
        CREATE UNIQUE INDEX invoices_one_per_period ON invoices(customer_id, period) WHERE status <> 'void';
        CREATE INDEX invoices_period ON invoices(period, status);
        CREATE TABLE invoice_lines (
            invoice_id TEXT NOT NULL REFERENCES invoices(id),
            line_no INTEGER NOT NULL,
            kind TEXT NOT NULL,
            description TEXT NOT NULL,
            model_id TEXT,
            price_version INTEGER,
            token_class TEXT,
            usage_period TEXT,
            quantity TEXT NOT NULL,
            unit_price TEXT,
            amount TEXT NOT NULL,
            rounded_amount TEXT,
            ledger_entry_id INTEGER,
            PRIMARY KEY (invoice_id, line_no)
        ) WITHOUT ROWID;
        CREATE INDEX invoice_lines_ledger ON invoice_lines(ledger_entry_id) WHERE ledger_entry_id IS NOT NULL;
        CREATE TABLE invoice_payments (
            id TEXT PRIMARY KEY,
            invoice_id TEXT NOT NULL REFERENCES invoices(id),
            customer_id TEXT NOT NULL,
            amount TEXT NOT NULL,
            reference TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            UNIQUE (invoice_id, reference)
        );
        ALTER TABLE ledger_entries ADD COLUMN corrects INTEGER REFERENCES ledger_entries(id);
        ALTER TABLE ledger_entries ADD COLUMN note TEXT;
        """,
        """
        CREATE TABLE plans (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            definition TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE subscriptions (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            plan_id TEXT NOT NULL REFERENCES plans(id),
            status TEXT NOT NULL,
            period_start INTEGER NOT NULL,
            period_end INTEGER NOT NULL,
            trial_end INTEGER,
            cancel_at_period_end INTEGER NOT NULL,
            next_plan_id TEXT REFERENCES plans(id),
            created_at INTEGER NOT NULL,
            canceled_at INTEGER
        );
        CREATE UNIQUE INDEX subscriptions_one_live ON subscriptions(customer_id) WHERE status <> 'canceled';
        CREATE INDEX subscriptions_period_end ON subscriptions(period_end) WHERE status <> 'canceled';
        CREATE INDEX usage_events_units ON usage_events(customer_id, completed_at) WHERE units > 0;
        """,
        """
        CREATE TABLE customer_tiers (
            customer_id TEXT PRIMARY KEY REFERENCES customers(id),
            level INTEGER NOT NULL,
            note TEXT,
            set_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,
        """
        CREATE TABLE contracts (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            starts_at INTEGER NOT NULL,
            ends_at INTEGER NOT NULL,
            cancelled_at INTEGER,
            definition TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX contracts_customer ON contracts(customer_id, starts_at);
        CREATE TABLE gate_rules (
            model_id TEXT PRIMARY KEY,
            definition TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE gate_invitations (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            model_id TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            note TEXT,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        CREATE INDEX gate_invitations_customer ON gate_invitations(customer_id, model_id);
        """,
        """
        ALTER TABLE cost_cards ADD COLUMN kind TEXT NOT NULL DEFAULT 'tokens';
        ALTER TABLE cost_cards ADD COLUMN hourly_cost TEXT;
        ALTER TABLE cost_cards ADD COLUMN gpu_count INTEGER;
        ALTER TABLE cost_cards ADD COLUMN rated_tokens_per_hour INTEGER;
        ALTER TABLE cost_cards ADD COLUMN target_utilisation TEXT;
        ALTER TABLE models ADD COLUMN routing TEXT NOT NULL DEFAULT 'priority';
        """,
        """
        CREATE TABLE distillation_flags (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            model_id TEXT NOT NULL,
            day TEXT NOT NULL,
            score TEXT NOT NULL,
            evidence TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (customer_id, model_id, day)
        );
        CREATE INDEX distillation_flags_status ON distillation_flags(status, created_at);
        CREATE TABLE gate_restrictions (
            customer_id TEXT NOT NULL REFERENCES customers(id),
            model_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            requests_per_minute INTEGER,
            flag_id TEXT REFERENCES distillation_flags(id),
            created_at INTEGER NOT NULL,
            PRIMARY KEY (customer_id, model_id)
        ) WITHOUT ROWID;
        CREATE TABLE feedback (
            request_id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            model_id TEXT NOT NULL,
            rating TEXT NOT NULL,
            comment TEXT,
            comment_expires_at INTEGER,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX feedback_time ON feedback(created_at);
        CREATE INDEX feedback_comment_expiry ON feedback(comment_expires_at) WHERE comment IS NOT NULL;
        """,
        """
        CREATE TABLE chat_history_settings (
            key_id TEXT PRIMARY KEY REFERENCES api_keys(id),
            customer_id TEXT NOT NULL REFERENCES customers(id),
            enabled_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE chat_conversations (
            id TEXT PRIMARY KEY,
            key_id TEXT NOT NULL REFERENCES api_keys(id),
            customer_id TEXT NOT NULL REFERENCES customers(id),
            title TEXT NOT NULL,
            messages TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX chat_conversations_key ON chat_conversations(key_id, updated_at);
        CREATE INDEX chat_conversations_expiry ON chat_conversations(expires_at);
        """,
        // The customer portal: its users (sign-in by email, one active user per email), their one-time invitations,
        // and which user made which key.
        """
        CREATE TABLE customer_users (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            email TEXT NOT NULL,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            removed_at INTEGER
        );
        CREATE INDEX customer_users_customer ON customer_users(customer_id, created_at);
        CREATE UNIQUE INDEX customer_users_active_email ON customer_users(email) WHERE removed_at IS NULL;
        CREATE TABLE portal_invitations (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            email TEXT NOT NULL,
            role TEXT NOT NULL,
            secret_hash BLOB NOT NULL,
            created_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            accepted_at INTEGER,
            user_id TEXT
        );
        CREATE INDEX portal_invitations_customer ON portal_invitations(customer_id, created_at);
        CREATE TABLE portal_key_owners (
            key_id TEXT PRIMARY KEY REFERENCES api_keys(id),
            user_id TEXT NOT NULL REFERENCES customer_users(id)
        ) WITHOUT ROWID;
        """,
        // Cache writes: a token class of their own (a subset of input), with an optional price on each card (unset: the input price).
        """
        ALTER TABLE usage_events ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage_rollups ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE price_cards ADD COLUMN cache_write_per_million TEXT;
        ALTER TABLE cost_cards ADD COLUMN cache_write_per_million TEXT;
        """,
        // Responses kept only when the operator turned response storage on and a request asked for it; erased after retention.
        """
        CREATE TABLE stored_responses (
            id TEXT PRIMARY KEY,
            key_id TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            response TEXT NOT NULL,
            conversation TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX stored_responses_key ON stored_responses(key_id);
        CREATE INDEX stored_responses_expiry ON stored_responses(expires_at);
        """,
    ];

    public static int LatestVersion => Steps.Length;

    /// <summary>The version that added <c>usage_rollups</c>.</summary>
    public const int RollupsVersion = 6;

    /// <summary>Brings the schema to the latest version; returns the version found before.</summary>
    public static async Task<int> ApplyAsync(SqliteConnection connection, CancellationToken cancellationToken = default)
    {
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        var found = await CurrentVersionAsync(connection, cancellationToken);
        if (found > Steps.Length)
            throw new InvalidOperationException(
                $"The database schema is version {found}, newer than this build of Tollgate understands ({Steps.Length}). Run a newer Tollgate.");
        for (var version = found + 1; version <= Steps.Length; version++)
        {
            using var transaction = connection.BeginTransaction();
            using var step = connection.CreateCommand();
            step.Transaction = transaction;
            step.CommandText = Steps[version - 1] + $"\nPRAGMA user_version = {version};";
            await step.ExecuteNonQueryAsync(cancellationToken);
            transaction.Commit();
        }
        return found;
    }

    public static async Task<int> CurrentVersionAsync(SqliteConnection connection, CancellationToken cancellationToken = default)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
