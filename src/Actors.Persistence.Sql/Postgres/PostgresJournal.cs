using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Batching;
using Npgsql;

namespace Actors.Persistence.Sql.Postgres;

/// <summary>
/// An event journal in PostgreSQL. Writes of all callers are group-committed by <c>WriteParallelism</c> write loops
/// (each persistence id always in the same loop); every write transaction takes its xid first and records it in
/// tx_id, so the read side can tell an ordering gap that may still fill from one that never will.
/// Several journals (nodes) may share the tables: the unique (persistence id, sequence number) is the fence.
/// </summary>
public sealed class PostgresJournal : IJournal, IAsyncDisposable
{
    private readonly PostgresJournalOptions _options;
    private readonly IEventSerializer _serializer;
    private readonly PostgresDatabase _database;
    private readonly WriteBatcher _batcher;
    private readonly string _replaySql;
    private readonly string _highestSql;
    private readonly string[] _deleteSql;

    public PostgresJournal(PostgresJournalOptions options, IEventSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        _options = options;
        _serializer = serializer;
        _database = new PostgresDatabase(options);
        _batcher = new WriteBatcher(
            new PostgresBatchWriter(_database, options.CopyThreshold), options.WriteParallelism, options.MaxBatchSize, options.MaxBufferedWrites,
            options.ShutdownTimeout, () => JournalCore.Raise(EventsWritten));

        _replaySql =
            $"""
            SELECT ordering, sequence_nr, writer_id, manifest, payload, timestamp, tags
            FROM {_database.Journal}
            WHERE persistence_id = $1 AND sequence_nr >= $2 AND sequence_nr <= $3
            ORDER BY sequence_nr
            LIMIT $4
            """;
        _highestSql =
            $"""
            SELECT GREATEST(
                (SELECT max(sequence_nr) FROM {_database.Journal} WHERE persistence_id = $1),
                (SELECT max_sequence_nr FROM {_database.Metadata} WHERE persistence_id = $1),
                0)
            """;
        _deleteSql =
        [
            $"""
            INSERT INTO {_database.Metadata} AS m (persistence_id, max_sequence_nr)
            SELECT persistence_id, max(sequence_nr) FROM {_database.Journal} WHERE persistence_id = $1 GROUP BY persistence_id
            ON CONFLICT (persistence_id) DO UPDATE SET max_sequence_nr = GREATEST(m.max_sequence_nr, EXCLUDED.max_sequence_nr)
            """,
            $"""
            DELETE FROM {_database.EventTag} t
            USING {_database.Journal} j, json_array_elements_text(j.tags::json) AS g(tag)
            WHERE j.persistence_id = $1 AND j.sequence_nr <= $2 AND j.tags IS NOT NULL AND t.tag = g.tag AND t.ordering = j.ordering
            """,
            $"DELETE FROM {_database.Journal} WHERE persistence_id = $1 AND sequence_nr <= $2",
        ];
    }

    /// <summary>
    /// Raised on a write loop after each committed batch, before its writers get their results; keep handlers short
    /// (e.g. wake a live query). A handler that throws is ignored. With WriteParallelism above 1 it may be raised
    /// concurrently.
    /// </summary>
    public event Action? EventsWritten;

    public PostgresJournalOptions Options => _options;

    /// <summary>Write transactions committed so far; with group commit far fewer than the atomic writes stored.</summary>
    public long TransactionsCommitted => _batcher.TransactionsCommitted;

    /// <summary>Atomic writes queued or being written right now.</summary>
    public int PendingWrites => _batcher.PendingWrites;

    /// <summary>Creates the schema and tables if missing (idempotent).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _database.InitializeSchemaAsync(cancellationToken);

    /// <summary>
    /// Group-committed write. Unserializable writes are Rejected alone; a taken sequence number fails only its write
    /// (<see cref="DuplicateSequenceNumberException"/>); a full buffer fails at once (<see cref="JournalBufferFullException"/>);
    /// a lost connection fails the writes of that batch. Cancelling stops the wait, not necessarily the write.
    /// </summary>
    public Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default) =>
        JournalCore.WriteAsync(_batcher, _serializer, _options.WriterId, writes, cancellationToken);

    public IAsyncEnumerable<PersistentRepr> ReplayAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default) =>
        JournalCore.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, _options.ReplayPageSize, _serializer,
            (from, to, limit, ct) => ReadPageAsync(persistenceId, from, to, limit, ct), cancellationToken);

    public Task ReplayMessagesAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<PersistentRepr> onEvent,
        CancellationToken cancellationToken = default) =>
        JournalCore.ReplayMessagesAsync(persistenceId, fromSequenceNr, toSequenceNr, max, _options.ReplayPageSize, _serializer,
            (from, to, limit, ct) => ReadPageAsync(persistenceId, from, to, limit, ct), onEvent, cancellationToken);

    private async Task<List<StoredEvent>> ReadPageAsync(string persistenceId, long from, long to, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_replaySql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)limit });
        // Small to start: most recoveries read a handful of events after a snapshot (a full-size list here was
        // ~57 KB of garbage per recovered actor); a long replay grows it a few times.
        var page = new List<StoredEvent>(Math.Min(limit, 16));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            page.Add(new StoredEvent(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<byte[]>(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return page;
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_highestSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Physically deletes the events (and their tag rows) with seq &lt;= <paramref name="toSequenceNr"/>, after
    /// remembering the highest sequence number in metadata, all in one transaction.
    /// </summary>
    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var sql in _deleteSql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
            if (sql.Contains("$2", StringComparison.Ordinal)) command.Parameters.Add(new NpgsqlParameter { Value = toSequenceNr });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops taking writes, finishes the queued ones (or fails them after ShutdownTimeout) and closes the data source.</summary>
    public async ValueTask DisposeAsync()
    {
        await _batcher.DisposeAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }
}
