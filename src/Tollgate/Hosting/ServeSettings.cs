namespace Tollgate.Hosting;

/// <summary>How <c>tollgate serve</c> runs: from its options, else <c>TOLLGATE_*</c> variables, else defaults.</summary>
internal sealed record ServeSettings
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public string Urls { get; init; } = DefaultUrls;

    public string DataDir { get; init; } = "data";

    public bool Demo { get; init; } = true;

    /// <summary>
    /// The demo's <c>tg-embed</c> runs on the simulator instead of the built-in MiniLM model:
    /// for load tests of the gateway itself. Read only when a new database is seeded.
    /// </summary>
    public bool SimulatedEmbeddings { get; init; }

    /// <summary>
    /// <c>full</c> (the default) also survives power loss and a filesystem error: an fsync per group commit, which
    /// the benchmark could not tell from noise (docs/benchmarks.md); <c>normal</c> survives a killed process only.
    /// </summary>
    public bool FullDurability { get; init; } = true;

    /// <summary>Operator-chosen bootstrap admin token (never stored); null means one is generated on first start.</summary>
    public string? AdminToken { get; init; }

    /// <summary>The key-hashing secret; null means the one generated into the data directory.</summary>
    public string? KeyPepper { get; init; }

    /// <summary>
    /// Create the embedded database even though the data directory shows it existed (a key pepper
    /// is there): without it such a start is refused, so a deleted database is never silently replaced by an empty one.
    /// </summary>
    public bool NewDatabase { get; init; }

    /// <summary>A PostgreSQL connection string shared by every node; null means the embedded SQLite file in the data directory.</summary>
    public string? Database { get; init; }

    /// <summary>A Redis configuration (e.g. <c>127.0.0.1:6379</c>) for counters shared by the nodes; null keeps them in memory. Needs <see cref="Database"/>.</summary>
    public string? Redis { get; init; }

    /// <summary>Prefix of every Redis key, so one Redis can serve several clusters or other uses.</summary>
    public string RedisPrefix { get; init; } = Storage.Redis.SharedState.DefaultPrefix;

    public string DatabasePath => Path.Combine(DataDir, "tollgate.db");
}
