using System.Runtime.CompilerServices;
using Actors.Persistence.Query.Internal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql;
using Actors.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Query;

internal sealed class SqliteQueryStore : QueryStore
{
    private static readonly string AllEventsSql =
        $"""
        SELECT {StoredRows.EventColumns()} FROM journal
        WHERE ordering > $from AND ordering <= $to ORDER BY ordering LIMIT $limit;
        """;

    private static readonly string TagSql =
        $"""
        SELECT {StoredRows.EventColumns("j.")} FROM event_tag t JOIN journal j ON j.ordering = t.ordering
        WHERE t.tag = $tag AND t.ordering > $from AND t.ordering <= $to ORDER BY t.ordering LIMIT $limit;
        """;

    private const string PersistenceIdOfEventsSql =
        "SELECT ordering, persistence_id FROM journal WHERE ordering > $from AND ordering <= $to ORDER BY ordering LIMIT $limit;";

    private static readonly string ByPersistenceIdSql =
        $"""
        SELECT {StoredRows.EventColumns()} FROM journal
        WHERE persistence_id = $persistence_id AND sequence_nr >= $from AND sequence_nr <= $to ORDER BY sequence_nr LIMIT $limit;
        """;

    // Ids of the journal and of metadata (ids whose events were all deleted), in name order, after $after.
    private const string PersistenceIdsSql =
        """
        SELECT persistence_id FROM (
            SELECT * FROM (SELECT DISTINCT persistence_id FROM journal WHERE persistence_id > $after ORDER BY persistence_id LIMIT $limit)
            UNION
            SELECT * FROM (SELECT persistence_id FROM metadata WHERE persistence_id > $after ORDER BY persistence_id LIMIT $limit)
        ) ORDER BY persistence_id LIMIT $limit;
        """;

    private const string HighestSql = "SELECT coalesce(max(ordering), 0) FROM journal;";

    private readonly SqliteJournalOptions _journalOptions;
    private readonly IEventSerializer _serializer;
    private readonly SqliteJournal? _journal;
    private readonly string _connectionString;
    private readonly AsyncInitializer _initializer;

    public SqliteQueryStore(SqliteJournalOptions journalOptions, IEventSerializer serializer, SqliteJournal? journal)
    {
        ArgumentNullException.ThrowIfNull(journalOptions);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentException.ThrowIfNullOrWhiteSpace(journalOptions.ConnectionString);
        _journalOptions = journalOptions;
        _serializer = serializer;
        _journal = journal;
        _connectionString = new SqliteConnectionStringBuilder(journalOptions.ConnectionString)
        {
            // Microsoft.Data.Sqlite retries SQLITE_BUSY (rare for WAL readers: checkpoints, recovery) this long.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(journalOptions.BusyTimeout.TotalSeconds)),
            Pooling = true,
        }.ToString();
        _initializer = new AsyncInitializer(CreateSchemaAsync);
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => _initializer.RunAsync(cancellationToken);

    /// <summary>The schema is the journal's: let a journal create it (the attached one, or a short-lived one).</summary>
    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        if (_journal is not null)
        {
            await _journal.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        var journal = new SqliteJournal(_journalOptions, _serializer);
        await using (journal.ConfigureAwait(false))
            await journal.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_journalOptions.AutoInitialize) await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<long> HighestOffsetAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
            return await HighestAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> HighestAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = HighestSql;
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public override async Task<IReadOnlyList<EventEnvelope>> ReadByPersistenceIdAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, int limit, CancellationToken cancellationToken)
    {
        CountPage();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = ByPersistenceIdSql;
            command.Parameters.AddWithValue("$persistence_id", persistenceId);
            command.Parameters.AddWithValue("$from", fromSequenceNr);
            command.Parameters.AddWithValue("$to", toSequenceNr);
            command.Parameters.AddWithValue("$limit", limit);
            var page = new List<EventEnvelope>(Math.Min(limit, 1024));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                page.Add(StoredRows.ReadEnvelope(reader, _serializer));
            return page;
        }
    }

    public override async IAsyncEnumerable<string> ScanPersistenceIdsAsync(int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = "";
        while (true)
        {
            CountPage();
            var page = new List<string>(Math.Min(pageSize, 1024));
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = PersistenceIdsSql;
                command.Parameters.AddWithValue("$after", after);
                command.Parameters.AddWithValue("$limit", pageSize);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) page.Add(reader.GetString(0));
            }
            foreach (var id in page) yield return id;
            if (page.Count < pageSize) yield break;
            after = page[^1];
        }
    }

    /// <summary>Committed orderings are final (one writer at a time): every id with an event at or below the start is in the scan.</summary>
    public override async Task<PersistenceIdsStart> StartPersistenceIdsAsync(CancellationToken cancellationToken) =>
        new(await HighestOffsetAsync(cancellationToken).ConfigureAwait(false), InFlight: null);

    public override GlobalCursor OpenCursor(GlobalQuery query, long position) => new Cursor(this, query, position);

    private sealed class Cursor(SqliteQueryStore store, GlobalQuery query, long position) : GlobalCursor(position)
    {
        public override async Task<GlobalPage> ReadAsync(int limit, long end, CancellationToken cancellationToken)
        {
            store.CountPage();
            var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // One read transaction (one WAL snapshot) for the highest ordering and the rows: everything up to that
                // ordering is in this snapshot, so a short page means the query has seen all of it.
                // BEGIN DEFERRED touches nothing yet; the snapshot starts with the first read.
                await using var transaction = connection.BeginTransaction(deferred: true);
                var bound = Math.Min(end, await HighestAsync(connection, transaction, cancellationToken).ConfigureAwait(false));
                var rows = bound > Position
                    ? await ReadRowsAsync(connection, transaction, bound, limit, cancellationToken).ConfigureAwait(false)
                    : [];
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                Advance(rows, limit, bound);
                return new GlobalPage(rows, CaughtUp: rows.Count < limit, Blocked: false);
            }
        }

        // Event rows are decoded from SQLite's buffers by a decoder that lives as long as the query (see SqliteRowDecoder).
        private SqliteRowDecoder? _decoder;

        private async Task<List<GlobalRow>> ReadRowsAsync(
            SqliteConnection connection, SqliteTransaction transaction, long bound, int limit, CancellationToken cancellationToken)
        {
            if (query.Kind != GlobalQueryKind.PersistenceIds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var events = new List<GlobalRow>(Math.Min(limit, 1024));
                (_decoder ??= new SqliteRowDecoder(store._serializer)).Read(
                    connection, query.Kind == GlobalQueryKind.Tag ? TagSql : AllEventsSql, Position, bound, limit, query.Tag, events);
                return events;
            }

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = PersistenceIdOfEventsSql;
            command.Parameters.AddWithValue("$from", Position);
            command.Parameters.AddWithValue("$to", bound);
            command.Parameters.AddWithValue("$limit", limit);

            var rows = new List<GlobalRow>(Math.Min(limit, 1024));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                rows.Add(new GlobalRow(reader.GetInt64(0), reader.GetString(1), null));
            return rows;
        }
    }
}
