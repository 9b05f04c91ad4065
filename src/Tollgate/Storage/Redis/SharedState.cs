using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Tollgate.Storage.Redis;

/// <summary>
/// The connection to Redis, where the nodes of a cluster keep their shared counters. Every
/// counter change is one Lua script, called by its SHA1 (EVALSHA) after being loaded once; a
/// restarted Redis that forgot a script gets it again. Any failure to reach Redis surfaces as
/// <see cref="SharedStateUnavailableException"/>, which the request path answers with a 503:
/// without the shared counters no limit can be proven, so nothing is served.
/// </summary>
internal sealed partial class SharedState : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly ConcurrentDictionary<string, byte[]> _loaded = new(StringComparer.Ordinal);
    private SharedState(ConnectionMultiplexer connection, string prefix)
    {
        _connection = connection;
        Prefix = prefix;
    }

    /// <summary>Set by the host once logging exists (the connection is made before it, at bootstrap).</summary>
    public ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Default prefix of every key Tollgate writes, so one Redis can hold other data beside it.</summary>
    public const string DefaultPrefix = "tollgate:";

    public string Prefix { get; }

    public ISubscriber Subscriber => _connection.GetSubscriber();

    /// <summary>
    /// Connects (failing fast rather than queueing commands while disconnected, and reconnecting in
    /// the background); an unreachable Redis at start is a clear startup error.
    /// </summary>
    public static async Task<SharedState> ConnectAsync(string configuration, string prefix)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        // A request waits at most 2 s on Redis before failing closed, unless the configuration says otherwise.
        if (!Names(configuration, "asyncTimeout")) options.AsyncTimeout = Math.Min(options.AsyncTimeout, 2000);
        if (!Names(configuration, "syncTimeout")) options.SyncTimeout = Math.Min(options.SyncTimeout, 2000);
        options.ConnectRetry = Math.Max(options.ConnectRetry, 3);
        // Back within a second of Redis returning, on every node alike: a restarted Redis waits a short grace for
        // every node to put its holds back before it seeds any account (see RedisAccounts), so nodes must not lag.
        if (!Names(configuration, "heartbeatInterval")) options.HeartbeatInterval = TimeSpan.FromMilliseconds(250);
        options.ReconnectRetryPolicy ??= new LinearRetry(250);
        options.ClientName ??= "tollgate";
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var state = new SharedState(connection, prefix);
        try
        {
            await connection.GetDatabase().PingAsync();
        }
        catch (RedisException ex)
        {
            await connection.DisposeAsync();
            throw new SharedStateUnavailableException($"Cannot reach Redis at {string.Join(", ", options.EndPoints)}: {ex.Message}", ex);
        }
        return state;
    }

    private static bool Names(string configuration, string option) =>
        configuration.Split(',').Any(part => part.TrimStart().StartsWith(option + "=", StringComparison.OrdinalIgnoreCase));

    public RedisKey Key(string name) => Prefix + name;

    /// <summary>Runs <paramref name="script"/> by its hash, loading it first (and again after a Redis restart).</summary>
    public async Task<RedisResult> EvaluateAsync(SharedScript script, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            var database = _connection.GetDatabase();
            if (!_loaded.TryGetValue(script.Name, out var hash)) hash = await LoadAsync(script);
            RedisResult result;
            try
            {
                result = await database.ScriptEvaluateAsync(hash, keys, values);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                hash = await LoadAsync(script);
                result = await database.ScriptEvaluateAsync(hash, keys, values);
            }
            if (Volatile.Read(ref _failing) == 1) Recovered();
            return result;
        }
        catch (RedisException ex)
        {
            Failed(ex, script);
            throw new SharedStateUnavailableException("The shared counters (Redis) cannot be reached.", ex);
        }
        catch (TimeoutException ex)
        {
            Failed(ex, script);
            throw new SharedStateUnavailableException("The shared counters (Redis) did not answer in time.", ex);
        }
    }

    // Logged once per outage (and once when it ends), not once per call: a node checks Redis several times a second.
    private int _failing;

    private void Failed(Exception ex, SharedScript script)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0) LogUnavailable(Logger, ex, script.Name);
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref _failing, 0) == 1) LogRecovered(Logger);
    }

    public async Task<bool> PingAsync()
    {
        try
        {
            await _connection.GetDatabase().PingAsync();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<byte[]> LoadAsync(SharedScript script)
    {
        byte[]? hash = null;
        foreach (var endpoint in _connection.GetEndPoints())
        {
            var server = _connection.GetServer(endpoint);
            if (server.IsConnected && !server.IsReplica) hash = await server.ScriptLoadAsync(script.Text);
        }
        if (hash is null) throw new SharedStateUnavailableException("No connected Redis primary to load scripts on.");
        _loaded[script.Name] = hash;
        return hash;
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis call {Script} failed; requests fail closed until it answers again")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string script);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again")]
    private static partial void LogRecovered(ILogger logger);
}

/// <summary>A Lua script of the shared counters; its name keys the loaded hash.</summary>
internal sealed record SharedScript(string Name, string Text);

/// <summary>Redis cannot be reached: the request path answers 503 <c>shared_state_unavailable</c>.</summary>
internal sealed class SharedStateUnavailableException : Exception
{
    public SharedStateUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    public SharedStateUnavailableException()
    {
    }

    public SharedStateUnavailableException(string message) : base(message)
    {
    }
}
