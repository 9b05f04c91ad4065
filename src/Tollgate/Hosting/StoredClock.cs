using Tollgate.Storage;

namespace Tollgate.Hosting;

internal static class StoredClock
{
    /// <summary>Now, at the millisecond precision times are stored with, so what an API returns equals what it later reads back.</summary>
    public static DateTimeOffset UtcNowStored(this TimeProvider time) => UnixTime.FromStored(UnixTime.ToStored(time.GetUtcNow()));
}
