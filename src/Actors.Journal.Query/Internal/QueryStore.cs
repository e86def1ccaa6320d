namespace Actors.Journal.Query.Internal;

internal enum GlobalQueryKind
{
    /// <summary>Every (not deleted) event.</summary>
    All,

    /// <summary>The (not deleted) events carrying one tag.</summary>
    Tag,

    /// <summary>Only the persistence id of every (not deleted) event: no payload is read.</summary>
    PersistenceIds,
}

internal readonly record struct GlobalQuery(GlobalQueryKind Kind, string? Tag = null)
{
    public static GlobalQuery All { get; } = new(GlobalQueryKind.All);

    public static GlobalQuery PersistenceIds { get; } = new(GlobalQueryKind.PersistenceIds);

    public static GlobalQuery ByTag(string tag) => new(GlobalQueryKind.Tag, tag);
}

/// <summary>
/// One journal row as stored (Akka.Persistence.Sql's columns): <paramref name="Message"/> is null for
/// <see cref="GlobalQueryKind.PersistenceIds"/> rows.
/// </summary>
/// <param name="Created">The <c>created</c> column: UTC ticks, the envelope's timestamp (as the stock read journal).</param>
/// <param name="SerializerId">The <c>identifier</c> column; null in legacy rows (then the manifest is a type name).</param>
internal readonly record struct StoredEvent(
    long Ordering, string PersistenceId, long SequenceNr, long Created, int? SerializerId, string Manifest, byte[]? Message, string[] Tags);

/// <param name="Rows">In ordering order, all above the cursor's previous position.</param>
/// <param name="CaughtUp">Nothing more can be read right now: wait for a write (live) or stop (current, unless blocked).</param>
/// <param name="Blocked">
/// Caught up only because an ordering below the end may still be written by a transaction in flight (PostgreSQL):
/// a current query waits for it instead of stopping.
/// </param>
internal sealed record GlobalPage(IReadOnlyList<StoredEvent> Rows, bool CaughtUp, bool Blocked);

/// <summary>
/// Walks the journal in global order for one query. <see cref="Position"/> only grows; every ordering at or below it
/// has been delivered, filtered out, or is known never to appear. A cursor holds no connection between reads.
/// </summary>
internal abstract class GlobalCursor(long position)
{
    public long Position { get; protected set; } = position;

    /// <summary>Reads up to <paramref name="limit"/> rows with <see cref="Position"/> &lt; ordering &lt;= <paramref name="end"/> and moves on.</summary>
    public abstract Task<GlobalPage> ReadAsync(int limit, long end, CancellationToken cancellationToken);

    /// <summary>A full page ends at its last row; a short one covered everything up to <paramref name="bound"/>.</summary>
    protected void Advance(IReadOnlyList<StoredEvent> rows, int limit, long bound) =>
        Position = rows.Count == limit ? rows[^1].Ordering : Math.Max(Position, bound);
}

/// <summary>Where a live persistence-ids query starts following the journal, and what may still land below that point.</summary>
/// <param name="Ordering">Follow the journal from here (exclusive).</param>
/// <param name="InFlight">
/// Opaque: transactions that were writing when <paramref name="Ordering"/> was taken and may still add ids below it
/// (PostgreSQL); null when there can be none. Once they finished, one more scan of the ids finds theirs.
/// </param>
internal sealed record PersistenceIdsStart(long Ordering, object? InFlight);

/// <summary>What one database must provide; the query logic (paging, live waiting, offsets) lives in <see cref="FastSqlReadJournal"/>.</summary>
internal abstract class QueryStore : IAsyncDisposable
{
    private long _pagesRead;

    /// <summary>Round trips (pages) run against the database so far.</summary>
    public long PagesRead => Interlocked.Read(ref _pagesRead);

    protected void CountPage() => Interlocked.Increment(ref _pagesRead);

    /// <summary>Once, before the first query (PostgreSQL: the triggers).</summary>
    public virtual Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Wakes live queries on writes by other processes (PostgreSQL: LISTEN); called when a live query starts.</summary>
    public virtual void StartListening(Action wake)
    {
    }

    public abstract Task<long> HighestOrderingAsync(CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> events of one id with from &lt;= seq &lt;= to, in sequence order, not deleted.</summary>
    public abstract Task<IReadOnlyList<StoredEvent>> ReadByPersistenceIdAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, int limit, CancellationToken cancellationToken);

    /// <summary>Every persistence id with a not deleted event, once, in name order, read page by page.</summary>
    public abstract IAsyncEnumerable<IReadOnlyList<string>> ScanPersistenceIdsAsync(int pageSize, CancellationToken cancellationToken);

    public abstract Task<PersistenceIdsStart> StartPersistenceIdsAsync(CancellationToken cancellationToken);

    /// <summary>True once every transaction in <paramref name="inFlight"/> (from <see cref="PersistenceIdsStart"/>) has ended.</summary>
    public virtual Task<bool> HaveFinishedAsync(object inFlight, CancellationToken cancellationToken) => Task.FromResult(true);

    public abstract GlobalCursor OpenCursor(GlobalQuery query, long position);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
