namespace Actors.Persistence.Sql;

/// <summary>Timestamps are stored as unix milliseconds (bigint): exact, sortable, the same on every database.</summary>
internal static class UnixTime
{
    public static long ToMillis(DateTimeOffset timestamp) => timestamp.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMillis(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);
}
