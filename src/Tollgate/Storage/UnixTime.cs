namespace Tollgate.Storage;

/// <summary>Stored times are Unix milliseconds, UTC: sortable and indexable.</summary>
internal static class UnixTime
{
    public static long ToStored(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromStored(long stored) => DateTimeOffset.FromUnixTimeMilliseconds(stored);

    public static object ToStoredOrNull(DateTimeOffset? time) => time is { } t ? ToStored(t) : DBNull.Value;
}
