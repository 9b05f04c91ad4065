using System.Globalization;
using StackExchange.Redis;
using Tollgate.Catalog;

namespace Tollgate.Storage.Redis;

/// <summary>
/// Catalog changes announced over Redis pub/sub: the node that made a change publishes the new
/// version, every node that hears a newer version than its own reloads. Pub/sub may drop a message
/// (a node reconnecting misses what was said meanwhile), so the version check stays as the bound.
/// </summary>
internal sealed partial class RedisCatalogChannel(SharedState shared, CatalogState state, IServiceProvider services, ILogger<RedisCatalogChannel> logger)
    : BackgroundService, ICatalogAnnouncer
{
    private RedisChannel Channel => RedisChannel.Literal(shared.Prefix + "catalog");

    public async Task AnnounceAsync(long version)
    {
        try
        {
            await shared.Subscriber.PublishAsync(Channel, version.ToString(CultureInfo.InvariantCulture));
        }
        catch (RedisException ex)
        {
            LogAnnounceFailed(logger, ex, version);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here, not injected: the refresher itself takes this channel as its announcer.
        var refresher = services.GetRequiredService<CatalogRefresher>();
        var queue = await SubscribeAsync(stoppingToken);
        if (queue is null) return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var message = await queue.ReadAsync(stoppingToken);
                if (!long.TryParse((string?)message.Message, NumberStyles.None, CultureInfo.InvariantCulture, out var version)) continue;
                if (version <= state.Current.Version) continue;
                try
                {
                    await refresher.FollowAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogReloadFailed(logger, ex, version);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await queue.UnsubscribeAsync();
        }
    }

    /// <summary>Retries until Redis answers: until then the version check alone keeps this node in step.</summary>
    private async Task<ChannelMessageQueue?> SubscribeAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                return await shared.Subscriber.SubscribeAsync(Channel);
            }
            catch (RedisException ex)
            {
                LogSubscribeFailed(logger, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announcing catalog version {Version} to the other nodes failed; they follow at their next version check")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception exception, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reloading the catalog announced at version {Version} failed; the version check retries")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to catalog announcements failed; retrying, with the version check meanwhile")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}
