using Actors.Persistence.InMemory;
using Actors.Persistence.Journal;
using Actors.Persistence.Query;
using Actors.Persistence.Query.Projections;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Actors.Hosting;

/// <summary>
/// The query side of a journal: a read journal over its tables (woken by its writes) and a projection database beside
/// them, so that a read model and its offset commit in the journal's own database. For the in-memory journal the read
/// models live in a private in-memory SQLite database, kept alive (and dropped) with this object.
/// </summary>
public sealed class QueryStores : IAsyncDisposable
{
    private readonly SqliteConnection? _keepAlive;
    private int _disposed;

    public QueryStores(ReadJournal readJournal, ProjectionDatabase projectionDatabase) : this(readJournal, projectionDatabase, keepAlive: null)
    {
    }

    private QueryStores(ReadJournal readJournal, ProjectionDatabase projectionDatabase, SqliteConnection? keepAlive)
    {
        ArgumentNullException.ThrowIfNull(readJournal);
        ArgumentNullException.ThrowIfNull(projectionDatabase);
        ReadJournal = readJournal;
        ProjectionDatabase = projectionDatabase;
        _keepAlive = keepAlive;
    }

    public ReadJournal ReadJournal { get; }

    public ProjectionDatabase ProjectionDatabase { get; }

    /// <summary>
    /// The query side of <paramref name="journal"/>: SQLite and PostgreSQL read their own tables, the in-memory journal
    /// gets an in-memory SQLite database for its read models. Other journals have no read journal: build one yourself.
    /// </summary>
    public static QueryStores For(IJournal journal, IEventSerializer serializer, ReadJournalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(serializer);
        return journal switch
        {
            SqliteJournal sqlite => new QueryStores(new SqliteReadJournal(sqlite, serializer, options), new SqliteProjectionDatabase(sqlite.Options)),
            PostgresJournal postgres => new QueryStores(new PostgresReadJournal(postgres, serializer, options), new PostgresProjectionDatabase(postgres.Options)),
            InMemoryJournal inMemory => InMemory(inMemory, options),
            _ => throw new NotSupportedException(
                $"There is no read journal for a {journal.GetType().Name}: register a {nameof(QueryStores)} for it (e.g. {nameof(QueryStores)}.{nameof(InMemory)} over the journal it wraps)."),
        };
    }

    /// <summary>
    /// Over an in-memory journal, with the read models in a shared-cache in-memory SQLite database of its own name. One
    /// connection stays open for the lifetime of this object: SQLite drops such a database when its last connection closes.
    /// </summary>
    public static QueryStores InMemory(InMemoryJournal journal, ReadJournalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = $"read-models-{Guid.NewGuid():N}",
            Mode = SqliteOpenMode.Memory,
            Cache = SqliteCacheMode.Shared,
        }.ToString();
        var keepAlive = new SqliteConnection(connectionString);
        keepAlive.Open(); // in memory: nothing to wait for
        return new QueryStores(new InMemoryReadJournal(journal, options), new SqliteProjectionDatabase(connectionString), keepAlive);
    }

    /// <summary><c>actors.persistence.query.*</c>: page size, poll interval, PostgreSQL notifications.</summary>
    public static ReadJournalOptions ReadOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        const string section = "actors:persistence:query";
        var defaults = new ReadJournalOptions();
        var pageSize = configuration.GetInt($"{section}:page-size", defaults.PageSize);
        var pollInterval = configuration.GetDuration($"{section}:poll-interval", defaults.PollInterval);
        if (pageSize < 1)
            throw new InvalidOperationException($"Configuration key '{section}:page-size' must be at least 1, not {pageSize}.");
        if (pollInterval <= TimeSpan.Zero || pollInterval > TimeSpan.FromDays(1))
            throw new InvalidOperationException($"Configuration key '{section}:poll-interval' must be positive and at most a day, not {pollInterval}.");
        return defaults with
        {
            PageSize = pageSize,
            PollInterval = pollInterval,
            OrderingScanSize = Math.Max(defaults.OrderingScanSize, pageSize),
            ListenForNotifications = configuration.GetBool($"{section}:listen-for-notifications", defaults.ListenForNotifications),
        };
    }

    /// <summary>Ends the read journal's live queries and releases the databases. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await ReadJournal.DisposeAsync().ConfigureAwait(false);
        await ProjectionDatabase.DisposeAsync().ConfigureAwait(false);
        if (_keepAlive is not null) await _keepAlive.DisposeAsync().ConfigureAwait(false);
    }
}
