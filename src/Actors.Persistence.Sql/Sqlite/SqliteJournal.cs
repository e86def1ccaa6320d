using System.Text;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Batching;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Actors.Persistence.Sql.Sqlite;

/// <summary>
/// An event journal in one SQLite file (WAL mode). Writes of all callers are group-committed by one write loop
/// (SQLite has one writer at a time anyway); reads use their own pooled connections and never wait for it.
/// Several journals (processes) may share a file: the unique (persistence id, sequence number) is the fence.
/// </summary>
public sealed class SqliteJournal : IJournal, IAsyncDisposable
{
    private readonly SqliteJournalOptions _options;
    private readonly IEventSerializer _serializer;
    private readonly SqliteDatabase _database;
    private readonly WriteBatcher _batcher;

    public SqliteJournal(SqliteJournalOptions options, IEventSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        _options = options;
        _serializer = serializer;
        _database = new SqliteDatabase(options);
        _batcher = new WriteBatcher(
            new SqliteBatchWriter(_database), lanes: 1, options.MaxBatchSize, options.MaxBufferedWrites,
            options.ShutdownTimeout, () => JournalCore.Raise(EventsWritten));
    }

    /// <summary>
    /// Raised on the write loop after each committed batch, before its writers get their results; keep handlers short
    /// (e.g. wake a live query). A handler that throws is ignored.
    /// </summary>
    public event Action? EventsWritten;

    public SqliteJournalOptions Options => _options;

    /// <summary>Write transactions committed so far; with group commit far fewer than the atomic writes stored.</summary>
    public long TransactionsCommitted => _batcher.TransactionsCommitted;

    /// <summary>Atomic writes queued or being written right now.</summary>
    public int PendingWrites => _batcher.PendingWrites;

    /// <summary>Creates the schema if missing (idempotent) and switches the file to WAL mode.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _database.InitializeSchemaAsync(cancellationToken);

    /// <summary>
    /// Group-committed write. Unserializable writes are Rejected alone; a taken sequence number fails only its write
    /// (<see cref="DuplicateSequenceNumberException"/>); a full buffer fails at once (<see cref="JournalBufferFullException"/>);
    /// a database error fails the writes of that batch. Cancelling stops the wait, not necessarily the write.
    /// </summary>
    public Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default) =>
        JournalCore.WriteAsync(_batcher, _serializer, _options.WriterId, writes, cancellationToken);

    public IAsyncEnumerable<PersistentRepr> ReplayAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default) =>
        JournalCore.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, _options.ReplayPageSize, _serializer,
            (from, to, limit, ct) => ReadPageAsync(persistenceId, from, to, limit, ct), cancellationToken);

    /// <summary>
    /// Recovery's replay: each page is read through a native statement that deserializes every payload straight from
    /// SQLite's row buffer (no byte[] copy, no per-row strings for the repeated manifest, writer id and tags), the
    /// connection goes back, and then the page's events are handed to <paramref name="onEvent"/> in a plain loop.
    /// </summary>
    public async Task ReplayMessagesAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<PersistentRepr> onEvent,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        ArgumentNullException.ThrowIfNull(onEvent);
        var from = Math.Max(fromSequenceNr, 0);
        var remaining = max;
        var texts = new ReplayTexts();
        while (remaining > 0 && from <= toSequenceNr)
        {
            var limit = (int)Math.Min(_options.ReplayPageSize, remaining);
            var page = await ReadReprPageAsync(persistenceId, from, toSequenceNr, limit, texts, cancellationToken).ConfigureAwait(false);
            JournalCore.Deliver(page, onEvent, cancellationToken);
            if (page.Count < limit) return;
            remaining -= page.Count;
            var last = page[^1].SequenceNr;
            if (last == long.MaxValue) return;
            from = last + 1;
        }
    }

    // The same query as ReplaySql, with positional parameters for the native statement.
    private const string NativeReplaySql =
        """
        SELECT ordering, sequence_nr, writer_id, manifest, payload, timestamp, tags
        FROM journal
        WHERE persistence_id = ?1 AND sequence_nr >= ?2 AND sequence_nr <= ?3
        ORDER BY sequence_nr
        LIMIT ?4;
        """;

    private async Task<List<PersistentRepr>> ReadReprPageAsync(
        string persistenceId, long from, long to, int limit, ReplayTexts texts, CancellationToken cancellationToken)
    {
        using var lease = await _database.ReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return ReadReprPage(lease.NativeStatement(NativeReplaySql), lease.NativeConnection, persistenceId, from, to, limit, texts);
        }
        catch
        {
            lease.Fail();
            throw;
        }
    }

    private List<PersistentRepr> ReadReprPage(
        sqlite3_stmt statement, sqlite3 connection, string persistenceId, long from, long to, int limit, ReplayTexts texts)
    {
        var page = new List<PersistentRepr>(Math.Min(limit, 16));
        try
        {
            Check(raw.sqlite3_bind_text(statement, 1, persistenceId), connection);
            Check(raw.sqlite3_bind_int64(statement, 2, from), connection);
            Check(raw.sqlite3_bind_int64(statement, 3, to), connection);
            Check(raw.sqlite3_bind_int64(statement, 4, limit), connection);
            while (true)
            {
                var rc = raw.sqlite3_step(statement);
                if (rc == raw.SQLITE_DONE) break;
                if (rc != raw.SQLITE_ROW) SqliteException.ThrowExceptionForRC(rc, connection);

                // Spans into SQLite's row: valid until the next step, so the payload is deserialized right here.
                var manifest = texts.Manifest.Get(raw.sqlite3_column_blob(statement, 3));
                var payload = _serializer.Deserialize(manifest, raw.sqlite3_column_blob(statement, 4));
                var tags = raw.sqlite3_column_type(statement, 6) == raw.SQLITE_NULL
                    ? PersistentRepr.NoTags
                    : texts.Tags(raw.sqlite3_column_blob(statement, 6));
                page.Add(new PersistentRepr(
                    persistenceId,
                    raw.sqlite3_column_int64(statement, 1),
                    payload,
                    texts.WriterId.Get(raw.sqlite3_column_blob(statement, 2)),
                    UnixTime.FromMillis(raw.sqlite3_column_int64(statement, 5)),
                    tags)
                {
                    Manifest = manifest,
                    Ordering = raw.sqlite3_column_int64(statement, 0),
                });
            }
            return page;
        }
        finally
        {
            // Ends the statement's read transaction before the connection goes back.
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
        }
    }

    private static void Check(int rc, sqlite3 connection)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, connection);
    }

    /// <summary>
    /// The text columns of one replay, which repeat from row to row (one writer, a few manifests, one tag set): each
    /// keeps the last UTF-8 value it decoded and hands out the same string while the bytes stay the same.
    /// </summary>
    private sealed class ReplayTexts
    {
        public readonly LastText Manifest = new();
        public readonly LastText WriterId = new();
        private readonly LastText _tagsJson = new();
        private IReadOnlyList<string> _tags = PersistentRepr.NoTags;

        public IReadOnlyList<string> Tags(ReadOnlySpan<byte> utf8)
        {
            if (_tagsJson.Matches(utf8)) return _tags;
            return _tags = TagsColumn.Read(_tagsJson.Get(utf8));
        }
    }

    private sealed class LastText
    {
        private byte[] _utf8 = [];
        private string? _text;

        public bool Matches(ReadOnlySpan<byte> utf8) => _text is not null && utf8.SequenceEqual(_utf8);

        public string Get(ReadOnlySpan<byte> utf8)
        {
            if (Matches(utf8)) return _text!;
            _utf8 = utf8.ToArray();
            return _text = Encoding.UTF8.GetString(utf8);
        }
    }

    private const string ReplaySql =
        """
        SELECT ordering, sequence_nr, writer_id, manifest, payload, timestamp, tags
        FROM journal
        WHERE persistence_id = $persistence_id AND sequence_nr >= $from AND sequence_nr <= $to
        ORDER BY sequence_nr
        LIMIT $limit;
        """;

    private const string HighestSql =
        """
        SELECT max(
            coalesce((SELECT max(sequence_nr) FROM journal WHERE persistence_id = $persistence_id), 0),
            coalesce((SELECT max_sequence_nr FROM metadata WHERE persistence_id = $persistence_id), 0));
        """;

    private async Task<List<StoredEvent>> ReadPageAsync(string persistenceId, long from, long to, int limit, CancellationToken cancellationToken)
    {
        using var lease = await _database.ReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = lease.Command(ReplaySql,
                ("$persistence_id", SqliteType.Text), ("$from", SqliteType.Integer), ("$to", SqliteType.Integer), ("$limit", SqliteType.Integer));
            command.Parameters[0].Value = persistenceId;
            command.Parameters[1].Value = from;
            command.Parameters[2].Value = to;
            command.Parameters[3].Value = limit;
            // Small to start: most recoveries read a handful of events after a snapshot (a full-size list here was
            // ~57 KB of garbage per recovered actor); a long replay grows it a few times.
            var page = new List<StoredEvent>(Math.Min(limit, 16));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                page.Add(new StoredEvent(
                    reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                    (byte[])reader.GetValue(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
            return page;
        }
        catch
        {
            lease.Fail();
            throw;
        }
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        using var lease = await _database.ReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = lease.Command(HighestSql, ("$persistence_id", SqliteType.Text));
            command.Parameters[0].Value = persistenceId;
            return (long)command.ExecuteScalar()!;
        }
        catch
        {
            lease.Fail();
            throw;
        }
    }

    /// <summary>
    /// Physically deletes the events (and their tag rows) with seq &lt;= <paramref name="toSequenceNr"/>, after
    /// remembering the highest sequence number in metadata, all in one transaction.
    /// </summary>
    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var turn = await _database.WriteGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            """
            INSERT INTO metadata (persistence_id, max_sequence_nr)
            SELECT persistence_id, max(sequence_nr) FROM journal WHERE persistence_id = $persistence_id GROUP BY persistence_id
            ON CONFLICT (persistence_id) DO UPDATE SET max_sequence_nr = max(max_sequence_nr, excluded.max_sequence_nr);
            DELETE FROM event_tag WHERE (tag, ordering) IN (
                SELECT t.value, j.ordering FROM journal j, json_each(j.tags) t
                WHERE j.persistence_id = $persistence_id AND j.sequence_nr <= $to AND j.tags IS NOT NULL);
            DELETE FROM journal WHERE persistence_id = $persistence_id AND sequence_nr <= $to;
            """;
        command.Parameters.AddWithValue("$persistence_id", persistenceId);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops taking writes, finishes the queued ones (or fails them after ShutdownTimeout) and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _batcher.DisposeAsync().ConfigureAwait(false);
        _database.Dispose();
    }
}
