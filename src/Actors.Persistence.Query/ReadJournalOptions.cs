namespace Actors.Persistence.Query;

/// <summary>Settings of a read journal.</summary>
public sealed record ReadJournalOptions
{
    /// <summary>Rows per query round trip; at most this many events are held in memory per running query.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>
    /// How often a live query that is caught up looks again when nothing woke it. Writes through an attached journal
    /// (and, on PostgreSQL, writes by any process through LISTEN/NOTIFY) wake it at once; this is the fallback, and it
    /// is also how a PostgreSQL reader learns that a transaction holding back an ordering was rolled back.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// PostgreSQL: how many global orderings one gap check looks at. A tag query moves past untagged events at most
    /// this far per round trip. At least <see cref="PageSize"/>.
    /// </summary>
    public int OrderingScanSize { get; init; } = 5000;

    /// <summary>PostgreSQL: wake live queries through LISTEN on a dedicated connection (opened on the first live query).</summary>
    public bool ListenForNotifications { get; init; } = true;

    /// <summary>
    /// PostgreSQL: initialization installs the statement-level trigger on the journal table that sends the notifications
    /// (needs the right to create triggers on it). Off: install it yourself (see <c>PostgresReadJournal.NotifyTriggerSql</c>),
    /// or rely on polling.
    /// </summary>
    public bool CreateNotifyTrigger { get; init; } = true;

    /// <summary>PostgreSQL: the first wait before the listener reconnects after losing its connection; doubled on each failure.</summary>
    public TimeSpan ListenerReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>PostgreSQL: the longest wait between two reconnect attempts of the listener.</summary>
    public TimeSpan ListenerMaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PollInterval, TimeSpan.FromDays(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(OrderingScanSize, PageSize);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ListenerReconnectDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ListenerMaxReconnectDelay, ListenerReconnectDelay);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ListenerMaxReconnectDelay, TimeSpan.FromDays(1));
    }
}
