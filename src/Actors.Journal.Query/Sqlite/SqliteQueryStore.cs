using System.Runtime.CompilerServices;
using System.Text;
using Actors.Journal.Query.Internal;
using Actors.Shared;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Actors.Journal.Query.Sqlite;

/// <summary>
/// Reads Akka.Persistence.Sql's tables in a SQLite database, straight from SQLite's prepared statements (positional
/// parameters, no ADO.NET parameter objects, no data reader): texts that repeat from row to row (persistence ids,
/// manifests, tag lists) are decoded once per query and then looked up by their UTF-8 bytes; the payload is copied
/// once, into the byte[] that Akka's serializers take.
/// <para>
/// <b>Why a plain max(ordering) is gap-safe here.</b> SQLite has one writer at a time: a write transaction holds the
/// database's write lock from its first insert to its commit, and <c>ordering</c> (the rowid) is drawn inside it, above
/// every ordering committed before. So orderings are committed in increasing order, transaction after transaction,
/// and a reader's snapshot (one read transaction: a WAL read mark, or the shared lock in rollback-journal mode) holds
/// every transaction committed before it and none after. Every ordering at or below the highest one in the snapshot
/// is therefore either in the snapshot or will never appear (rolled back, or deleted): there are no in-flight gaps.
/// Each page reads max(ordering) first and then the rows up to it, two statements in autocommit: the second one's
/// snapshot is at least as new as the first's, so every ordering up to that max is final in it, and the page never goes
/// beyond that max.
/// </para>
/// <para>
/// Connections stay open with their statements prepared (<see cref="Reader"/>): a live query may read a short page
/// after each commit of the writer, and opening a connection, compiling the statements and an explicit read
/// transaction per page took 15 % of such a page's CPU (about 0.3 ms for 20 rows under the HTTP load).
/// </para>
/// </summary>
internal sealed class SqliteQueryStore : QueryStore
{
    private readonly FastSqlReadJournalSettings _settings;
    private readonly string _connectionString;
    private readonly string _highestSql;
    private readonly string _allEventsSql;
    private readonly string _tagSql;
    private readonly string _byPersistenceIdSql;
    private readonly string _persistenceIdOfEventsSql;
    private readonly string _persistenceIdsSql;

    /// <summary>The separator of the aggregated tag list (unit separator: never inside a tag in practice).</summary>
    private const char TagSeparator = '\u001f';

    private readonly IdlePool<Reader> _readers;

    public SqliteQueryStore(FastSqlReadJournalSettings settings)
    {
        _settings = settings;
        _connectionString = new SqliteConnectionStringBuilder(settings.ConnectionString) { Pooling = true }.ToString();
        var journal = Quote(settings.JournalTable);
        var tags = Quote(settings.TagsTable);
        var columns =
            $"j.ordering, j.persistence_id, j.sequence_number, j.created, j.identifier, j.manifest, j.message, " +
            $"(SELECT group_concat(x.tag, char(31)) FROM {tags} x WHERE x.ordering_id = j.ordering)";
        _highestSql = $"SELECT coalesce(max(ordering), 0) FROM {journal}";
        _allEventsSql =
            $"SELECT {columns} FROM {journal} j WHERE j.ordering > ?1 AND j.ordering <= ?2 AND j.deleted = 0 ORDER BY j.ordering LIMIT ?3";
        _tagSql =
            $"SELECT {columns} FROM {tags} g JOIN {journal} j ON j.ordering = g.ordering_id " +
            // Without the (tag, ordering_id) index, "+" keeps SQLite off tags(tag) (which would sort all of the tag's
            // rows for each page) and on the key (ordering_id, tag).
            $"WHERE {(settings.CreateTagIndex ? "" : "+")}g.tag = ?4 AND g.ordering_id > ?1 AND g.ordering_id <= ?2 AND j.deleted = 0 ORDER BY g.ordering_id LIMIT ?3";
        _byPersistenceIdSql =
            $"SELECT {columns} FROM {journal} j WHERE j.persistence_id = ?1 AND j.sequence_number >= ?2 AND j.sequence_number <= ?3 " +
            "AND j.deleted = 0 ORDER BY j.sequence_number LIMIT ?4";
        _persistenceIdOfEventsSql =
            $"SELECT ordering, persistence_id FROM {journal} WHERE ordering > ?1 AND ordering <= ?2 AND deleted = 0 ORDER BY ordering LIMIT ?3";
        _persistenceIdsSql =
            $"SELECT DISTINCT persistence_id FROM {journal} WHERE persistence_id > ?1 AND deleted = 0 ORDER BY persistence_id LIMIT ?2";
        _readers = new IdlePool<Reader>(Math.Max(4, Environment.ProcessorCount * 2), () => new Reader(Open(), _highestSql));
    }

    /// <summary>Checks that the journal's tables exist and creates the tag index if allowed.</summary>
    public override Task InitializeAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        var db = connection.Handle!;
        using (var statement = Prepare(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?1, ?2)"))
        {
            Check(db, raw.sqlite3_bind_text(statement, 1, _settings.JournalTable));
            Check(db, raw.sqlite3_bind_text(statement, 2, _settings.TagsTable));
            Check(db, raw.sqlite3_step(statement));
            if (raw.sqlite3_column_int(statement, 0) != 2)
            {
                throw new InvalidOperationException(
                    $"fast-sql read journal: the tables {_settings.JournalTable}/{_settings.TagsTable} do not exist (yet). " +
                    "Akka.Persistence.Sql's journal creates them when it starts (auto-initialize): start the journal first.");
            }
        }
        if (_settings.CreateTagIndex)
        {
            var tags = Quote(_settings.TagsTable);
            using var statement = Prepare(db, $"CREATE INDEX IF NOT EXISTS {Quote(_settings.TagsTable + "_tag_ordering_idx")} ON {tags} (tag, ordering_id)");
            Check(db, raw.sqlite3_step(statement));
        }
        return Task.CompletedTask;
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // Raw statements do not get Microsoft.Data.Sqlite's busy retries: let SQLite wait itself (checkpoints,
            // rollback-journal mode).
            raw.sqlite3_busy_timeout(connection.Handle, 30_000);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public override Task<long> HighestOrderingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(WithReader(static reader => reader.Highest()));
    }

    public override Task<IReadOnlyList<StoredEvent>> ReadByPersistenceIdAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CountPage();
        var rows = new List<StoredEvent>(Math.Min(limit, 1024));
        WithReader(reader =>
        {
            var db = reader.Db;
            var statement = reader.Statement(_byPersistenceIdSql);
            Check(db, raw.sqlite3_bind_text(statement, 1, persistenceId));
            Check(db, raw.sqlite3_bind_int64(statement, 2, fromSequenceNr));
            Check(db, raw.sqlite3_bind_int64(statement, 3, toSequenceNr));
            Check(db, raw.sqlite3_bind_int64(statement, 4, limit));
            new RowDecoder().ReadEvents(db, statement, rows);
            return rows;
        });
        return Task.FromResult<IReadOnlyList<StoredEvent>>(rows);
    }

    /// <summary>
    /// Runs <paramref name="read"/> on an idle reader (or a new one) and takes it back afterwards, its statements reset.
    /// SQLite's calls are synchronous: no Task.Run, they are index range reads.
    /// </summary>
    private T WithReader<T>(Func<Reader, T> read) => _readers.Use(reader =>
    {
        var result = read(reader);
        reader.ResetStatements();
        return result;
    });

    public override ValueTask DisposeAsync()
    {
        _readers.Dispose();
        return ValueTask.CompletedTask;
    }

    public override async IAsyncEnumerable<IReadOnlyList<string>> ScanPersistenceIdsAsync(int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = "";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            CountPage();
            var page = new List<string>(Math.Min(pageSize, 1024));
            using (var connection = Open())
            {
                var db = connection.Handle!;
                using var statement = Prepare(db, _persistenceIdsSql);
                Check(db, raw.sqlite3_bind_text(statement, 1, after));
                Check(db, raw.sqlite3_bind_int64(statement, 2, pageSize));
                int rc;
                while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW) page.Add(raw.sqlite3_column_text(statement, 0).utf8_to_string());
                if (rc != raw.SQLITE_DONE) Check(db, rc);
            }
            if (page.Count > 0) yield return page;
            if (page.Count < pageSize) yield break;
            after = page[^1];
            await Task.Yield();
        }
    }

    /// <summary>No in-flight transactions (see the class comment): every id with an event at or below the start is in the scan.</summary>
    public override async Task<PersistenceIdsStart> StartPersistenceIdsAsync(CancellationToken cancellationToken) =>
        new(await HighestOrderingAsync(cancellationToken).ConfigureAwait(false), InFlight: null);

    public override GlobalCursor OpenCursor(GlobalQuery query, long position) => new Cursor(this, query, position);

    private static SqliteStatement Prepare(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement.Dispose();
            Check(db, rc);
        }
        return new SqliteStatement(statement);
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE)) SqliteException.ThrowExceptionForRC(rc, db);
    }

    /// <summary>A prepared statement, finalized on dispose.</summary>
    private readonly struct SqliteStatement(sqlite3_stmt statement) : IDisposable
    {
        public static implicit operator sqlite3_stmt(SqliteStatement s) => s._statement;

        private readonly sqlite3_stmt _statement = statement;

        public void Dispose() => _statement.Dispose();
    }

    private sealed class Cursor(SqliteQueryStore store, GlobalQuery query, long position) : GlobalCursor(position)
    {
        // Lives as long as the query: its caches of ids, manifests and tag lists carry over from page to page.
        private readonly RowDecoder _decoder = new();

        public override Task<GlobalPage> ReadAsync(int limit, long end, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            store.CountPage();
            var (rows, bound) = store.WithReader(reader =>
            {
                // The highest ordering first, then the rows up to it in a snapshot at least as new: everything up to that
                // ordering is final there (see the class comment), so a short page means the query has seen all of it.
                var bound = Math.Min(end, reader.Highest());
                // At most one row per ordering in (Position, bound]: a live query's page is usually a few rows, and a list
                // sized for the limit (1024 rows of 64 bytes) per page was a tenth of the loaded host's allocations.
                var rows = new List<StoredEvent>(bound > Position ? (int)Math.Min(Math.Min(limit, 1024), bound - Position) : 0);
                if (bound <= Position) return (rows, bound);
                var db = reader.Db;
                var statement = reader.Statement(query.Kind switch
                {
                    GlobalQueryKind.Tag => store._tagSql,
                    GlobalQueryKind.PersistenceIds => store._persistenceIdOfEventsSql,
                    _ => store._allEventsSql,
                });
                Check(db, raw.sqlite3_bind_int64(statement, 1, Position));
                Check(db, raw.sqlite3_bind_int64(statement, 2, bound));
                Check(db, raw.sqlite3_bind_int64(statement, 3, limit));
                if (query.Kind == GlobalQueryKind.Tag) Check(db, raw.sqlite3_bind_text(statement, 4, query.Tag!));
                if (query.Kind == GlobalQueryKind.PersistenceIds) _decoder.ReadPersistenceIds(db, statement, rows);
                else _decoder.ReadEvents(db, statement, rows);
                return (rows, bound);
            });
            Advance(rows, limit, bound);
            return Task.FromResult(new GlobalPage(rows, CaughtUp: rows.Count < limit, Blocked: false));
        }
    }

    /// <summary>
    /// An open connection with the statements it ran kept prepared (by SQL text), used by one read at a time. A statement
    /// is reset (its read ended, its snapshot released) and its bindings cleared before the reader goes back to idle.
    /// </summary>
    private sealed class Reader(SqliteConnection connection, string highestSql) : IDisposable
    {
        private readonly Dictionary<string, sqlite3_stmt> _statements = new(StringComparer.Ordinal);

        public sqlite3 Db { get; } = connection.Handle!;

        public sqlite3_stmt Statement(string sql)
        {
            if (_statements.TryGetValue(sql, out var statement)) return statement;
            var rc = raw.sqlite3_prepare_v2(Db, sql, out statement);
            if (rc != raw.SQLITE_OK)
            {
                statement.Dispose();
                Check(Db, rc);
            }
            _statements.Add(sql, statement);
            return statement;
        }

        public long Highest()
        {
            var statement = Statement(highestSql);
            var rc = raw.sqlite3_step(statement);
            if (rc != raw.SQLITE_ROW) Check(Db, rc);
            var highest = raw.sqlite3_column_int64(statement, 0);
            // Ends this statement's read now: the rows are read in a snapshot of their own, at least as new.
            raw.sqlite3_reset(statement);
            return highest;
        }

        public void ResetStatements()
        {
            foreach (var statement in _statements.Values)
            {
                raw.sqlite3_reset(statement);
                raw.sqlite3_clear_bindings(statement);
            }
        }

        public void Dispose()
        {
            foreach (var statement in _statements.Values) statement.Dispose();
            _statements.Clear();
            connection.Dispose();
        }
    }

    /// <summary>
    /// Decodes rows of the event columns (ordering, persistence_id, sequence_number, created, identifier, manifest,
    /// message, tags) from SQLite's buffers. Not thread-safe; one per query.
    /// </summary>
    private sealed class RowDecoder
    {
        private readonly Utf8Cache<string> _persistenceIds = new(1024, static bytes => Encoding.UTF8.GetString(bytes));
        private readonly Utf8Cache<string> _manifests = new(64, static bytes => Encoding.UTF8.GetString(bytes));
        private readonly Utf8Cache<string[]> _tags = new(64, static bytes => Encoding.UTF8.GetString(bytes).Split(TagSeparator));

        public void ReadEvents(sqlite3 db, sqlite3_stmt statement, List<StoredEvent> rows)
        {
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                rows.Add(new StoredEvent(
                    raw.sqlite3_column_int64(statement, 0),
                    _persistenceIds.Get(raw.sqlite3_column_blob(statement, 1)),
                    raw.sqlite3_column_int64(statement, 2),
                    raw.sqlite3_column_int64(statement, 3),
                    raw.sqlite3_column_type(statement, 4) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int(statement, 4),
                    _manifests.Get(raw.sqlite3_column_blob(statement, 5)),
                    raw.sqlite3_column_blob(statement, 6).ToArray(),
                    raw.sqlite3_column_type(statement, 7) == raw.SQLITE_NULL ? [] : _tags.Get(raw.sqlite3_column_blob(statement, 7))));
            }
            if (rc != raw.SQLITE_DONE) Check(db, rc);
        }

        public void ReadPersistenceIds(sqlite3 db, sqlite3_stmt statement, List<StoredEvent> rows)
        {
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                rows.Add(new StoredEvent(
                    raw.sqlite3_column_int64(statement, 0), _persistenceIds.Get(raw.sqlite3_column_blob(statement, 1)), 0, 0, null, "", null, []));
            }
            if (rc != raw.SQLITE_DONE) Check(db, rc);
        }
    }
}

/// <summary>A fixed-size, direct-mapped cache from UTF-8 bytes to their decoded value (a collision replaces the entry).</summary>
internal sealed class Utf8Cache<T>(int size, Func<ReadOnlySpan<byte>, T> decode)
{
    private readonly (byte[] Key, T Value)[] _entries = new (byte[] Key, T Value)[size];

    public T Get(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        var slot = (int)((uint)hash.ToHashCode() % (uint)_entries.Length);
        ref var entry = ref _entries[slot];
        if (entry.Key is { } key && bytes.SequenceEqual(key)) return entry.Value;
        var value = decode(bytes);
        entry = (bytes.ToArray(), value);
        return value;
    }
}
