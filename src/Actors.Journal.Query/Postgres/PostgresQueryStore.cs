using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using Actors.Journal.Query.Internal;
using Npgsql;

namespace Actors.Journal.Query.Postgres;

/// <summary>
/// Reads Akka.Persistence.Sql's tables in PostgreSQL: positional parameters, statements prepared automatically on the
/// pooled connections (Npgsql auto-prepare), one round trip per page; global-order queries gap-safe by
/// <see cref="GapTracker"/>.
/// </summary>
internal sealed class PostgresQueryStore : QueryStore
{
    // Serializes concurrent trigger creation (CREATE OR REPLACE FUNCTION races with itself). "ActFSRJ\0".
    private const long TriggerLockKey = 0x41637446_53524A00;

    private readonly FastSqlReadJournalSettings _settings;
    private readonly Action<string> _warn;
    private readonly NpgsqlDataSource _dataSource;
    private readonly Lock _gate = new();
    private PostgresNotificationListener? _listener;
    private bool _disposed;
    private string? _notificationPayload;

    private readonly string _journal;
    private readonly string _highestSql;
    private readonly string _byPersistenceIdSql;
    private readonly string _persistenceIdsSql;
    private readonly string _startSql;
    private readonly string _windowSql;
    private readonly string _allEventsSql;
    private readonly string _tagSql;
    private readonly string _persistenceIdOfEventsSql;
    private readonly string _tagsOfSql;

    public PostgresQueryStore(FastSqlReadJournalSettings settings, Action<string> warn)
    {
        _settings = settings;
        _warn = warn;
        var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        // Prepared statements without asking: the few statements of this class are prepared on each pooled
        // connection after their second use, then run without parse/plan.
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 32;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "actors-fast-sql-read-journal";
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);

        _journal = PostgresTriggers.Table(settings.SchemaName, settings.JournalTable);
        var tags = PostgresTriggers.Table(settings.SchemaName, settings.TagsTable);
        // The tags of a page come from a second, set-based statement (see ReadEventsAsync), not from a subquery per row.
        const string columns = "j.ordering, j.persistence_id, j.sequence_number, j.created, j.identifier, j.manifest, j.message";
        _tagsOfSql = $"SELECT ordering_id, tag FROM {tags} WHERE ordering_id = ANY($1) ORDER BY ordering_id";

        _highestSql = $"SELECT coalesce(max(ordering), 0) FROM {_journal}";
        _byPersistenceIdSql =
            $"""
            SELECT {columns} FROM {_journal} j
            WHERE j.persistence_id = $1 AND j.sequence_number >= $2 AND j.sequence_number <= $3 AND NOT j.deleted
            ORDER BY j.sequence_number LIMIT $4
            """;
        // A loose index scan over the unique (persistence_id, sequence_number) index: one probe per id, not per event.
        _persistenceIdsSql =
            $"""
            WITH RECURSIVE ids(persistence_id) AS (
                (SELECT persistence_id FROM {_journal} WHERE persistence_id > $1 AND NOT deleted ORDER BY persistence_id LIMIT 1)
              UNION ALL
                SELECT (SELECT j.persistence_id FROM {_journal} j WHERE j.persistence_id > ids.persistence_id AND NOT j.deleted
                        ORDER BY j.persistence_id LIMIT 1)
                FROM ids WHERE ids.persistence_id IS NOT NULL
            )
            SELECT persistence_id FROM ids WHERE persistence_id IS NOT NULL LIMIT $2
            """;
        // One statement, one snapshot: its in-progress list, the highest ordering in it, and an xid taken after it.
        _startSql =
            $"SELECT pg_current_snapshot()::text, coalesce((SELECT max(ordering) FROM {_journal}), 0), pg_current_xact_id()::text";
        // The visible global orderings in ($1, $2], at most $3 of them (deleted rows too: they are no gap): returns each
        // row that follows a gap (with the visible ordering before it, or $1) and the last row, each with the window's
        // highest ordering and row count.
        _windowSql =
            $"""
            SELECT prev, ordering, highest, n FROM (
                SELECT ordering,
                       lag(ordering, 1, $1) OVER (ORDER BY ordering) AS prev,
                       max(ordering) OVER () AS highest,
                       count(*) OVER () AS n
                FROM (SELECT ordering FROM {_journal} WHERE ordering > $1 AND ordering <= $2 ORDER BY ordering LIMIT $3) s
            ) w
            WHERE ordering > prev + 1 OR ordering = highest
            ORDER BY ordering
            """;
        _allEventsSql =
            $"""
            SELECT {columns} FROM {_journal} j
            WHERE j.ordering > $1 AND j.ordering <= $2 AND NOT j.deleted ORDER BY j.ordering LIMIT $3
            """;
        _tagSql =
            $"""
            SELECT {columns} FROM {tags} g JOIN {_journal} j ON j.ordering = g.ordering_id
            WHERE g.tag = $4 AND g.ordering_id > $1 AND g.ordering_id <= $2 AND NOT j.deleted ORDER BY g.ordering_id LIMIT $3
            """;
        _persistenceIdOfEventsSql =
            $"SELECT ordering, persistence_id FROM {_journal} WHERE ordering > $1 AND ordering <= $2 AND NOT deleted ORDER BY ordering LIMIT $3";
    }

    /// <summary>Finds the table (its schema for the notification payload) and installs the triggers if allowed.</summary>
    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        string schema;
        await using (var command = new NpgsqlCommand(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = _journal });
            schema = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string
                ?? throw new InvalidOperationException(
                    $"fast-sql read journal: the table {_journal} does not exist (yet). Akka.Persistence.Sql's journal creates it " +
                    "when it starts (auto-initialize): start the journal first.");
        }
        Volatile.Write(ref _notificationPayload, schema + "." + _settings.JournalTable);

        if (_settings.CreateTagIndex)
        {
            // CONCURRENTLY: writers go on while it is built (it cannot run inside a transaction block, so alone).
            var index = PostgresTriggers.QuoteIdentifier(_settings.TagsTable + "_tag_ordering_idx");
            var tags = PostgresTriggers.Table(_settings.SchemaName, _settings.TagsTable);
            await using var command = new NpgsqlCommand($"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON {tags} (tag, ordering_id)", connection);
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var present = await TriggersPresentAsync(connection, null, cancellationToken).ConfigureAwait(false);
        if (present == 2) return;
        if (!_settings.CreateTriggers)
        {
            _warn(
                $"fast-sql read journal: the triggers {PostgresTriggers.XidTrigger}/{PostgresTriggers.NotifyTrigger} are missing on {_journal} " +
                "and create-triggers is off. Without the xid trigger a live query may pass an event whose transaction commits late " +
                "(the stock writer draws orderings before it owns an xid); without the notify trigger live queries only poll. " +
                "Install them with FastSqlReadJournal.PostgresTriggerSql().");
            return;
        }

        // CREATE TRIGGER locks out writers for a moment (and waits for the inserts in flight: afterwards every insert
        // fires the triggers), so only when missing, and one creator at a time.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = TriggerLockKey });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        if (await TriggersPresentAsync(connection, transaction, cancellationToken).ConfigureAwait(false) != 2)
        {
            await using var command = new NpgsqlCommand(PostgresTriggers.CreateSql(_settings.SchemaName, _settings.JournalTable), connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> TriggersPresentAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname IN ($2, $3)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = _journal });
        command.Parameters.Add(new NpgsqlParameter { Value = PostgresTriggers.XidTrigger });
        command.Parameters.Add(new NpgsqlParameter { Value = PostgresTriggers.NotifyTrigger });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public override void StartListening(Action wake)
    {
        if (!_settings.ListenForNotifications || Volatile.Read(ref _listener) is not null) return;
        lock (_gate)
        {
            if (_listener is not null || _disposed) return;
            var payload = Volatile.Read(ref _notificationPayload)
                ?? (_settings.SchemaName ?? "public") + "." + _settings.JournalTable;
            _listener = new PostgresNotificationListener(_settings.ConnectionString, payload, wake, _settings);
            _listener.EnsureStarted();
        }
    }

    /// <summary>The listener, once a live query started it (tests).</summary>
    internal PostgresNotificationListener? Listener => Volatile.Read(ref _listener);

    private ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _dataSource.OpenConnectionAsync(cancellationToken);

    public override async Task<long> HighestOrderingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_highestSql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public override async Task<IReadOnlyList<StoredEvent>> ReadByPersistenceIdAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, int limit, CancellationToken cancellationToken)
    {
        CountPage();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_byPersistenceIdSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
        command.Parameters.Add(new NpgsqlParameter { Value = fromSequenceNr });
        command.Parameters.Add(new NpgsqlParameter { Value = toSequenceNr });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)limit });
        var rows = new List<StoredEvent>(Math.Min(limit, 1024));
        await ReadEventsAsync(command, rows, cancellationToken).ConfigureAwait(false);
        return rows;
    }

    /// <summary>Runs an event query (columns as <c>columns</c>) and then reads the tags of its rows, on the same connection.</summary>
    private async Task ReadEventsAsync(NpgsqlCommand command, List<StoredEvent> rows, CancellationToken cancellationToken)
    {
        await using (var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Sequential access: columns in order, the payload read straight into its array.
                var ordering = reader.GetInt64(0);
                var persistenceId = reader.GetString(1);
                var sequenceNr = reader.GetInt64(2);
                var created = reader.GetInt64(3);
                int? serializerId = reader.IsDBNull(4) ? null : reader.GetInt32(4);
                var manifest = reader.IsDBNull(5) ? "" : reader.GetString(5);
                var message = reader.GetFieldValue<byte[]>(6);
                rows.Add(new StoredEvent(ordering, persistenceId, sequenceNr, created, serializerId, manifest, message, []));
            }
        }
        if (rows.Count == 0) return;

        // The rows of one query come in ordering order (by persistence id: sequence order, which is ordering order for
        // one id unless some writer wrote them otherwise); the tag rows too: merge.
        var orderings = new long[rows.Count];
        var sorted = true;
        for (var i = 0; i < rows.Count; i++)
        {
            orderings[i] = rows[i].Ordering;
            if (i > 0 && orderings[i] <= orderings[i - 1]) sorted = false;
        }
        await using var tagsCommand = new NpgsqlCommand(_tagsOfSql, command.Connection, command.Transaction);
        tagsCommand.Parameters.Add(new NpgsqlParameter { Value = orderings });
        await using var tagReader = await tagsCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var row = 0;
        var current = new List<string>(4);
        var currentOrdering = -1L;
        while (await tagReader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var ordering = tagReader.GetInt64(0);
            if (ordering != currentOrdering)
            {
                Flush();
                currentOrdering = ordering;
            }
            current.Add(tagReader.GetString(1));
        }
        Flush();

        void Flush()
        {
            if (current.Count == 0) return;
            if (sorted)
            {
                while (rows[row].Ordering < currentOrdering) row++;
            }
            else
            {
                row = rows.FindIndex(r => r.Ordering == currentOrdering);
            }
            rows[row] = rows[row] with { Tags = [.. current] };
            current.Clear();
        }
    }

    public override async IAsyncEnumerable<IReadOnlyList<string>> ScanPersistenceIdsAsync(int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = "";
        while (true)
        {
            CountPage();
            var page = new List<string>(Math.Min(pageSize, 1024));
            await using (var connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
            await using (var command = new NpgsqlCommand(_persistenceIdsSql, connection))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = after });
                command.Parameters.Add(new NpgsqlParameter { Value = (long)pageSize });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) page.Add(reader.GetString(0));
            }
            if (page.Count > 0) yield return page;
            if (page.Count < pageSize) yield break;
            after = page[^1];
        }
    }

    /// <summary>
    /// The highest visible ordering and, from the same snapshot, an xid bound: only transactions with an xid below it
    /// that were still in progress can add an event below that ordering (see <see cref="GapTracker"/>; the snapshot
    /// alone does not list them all). In flight: the bound, boxed; null when none of them was in progress.
    /// </summary>
    public override async Task<PersistenceIdsStart> StartPersistenceIdsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_startSql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = PgSnapshot.Parse(reader.GetString(0));
        var bound = ParseXid(reader.GetString(2));
        return new PersistenceIdsStart(reader.GetInt64(1), snapshot.AnyInProgressBelow(bound) ? bound : null);
    }

    public override async Task<bool> HaveFinishedAsync(object inFlight, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT pg_current_snapshot()::text", connection);
        var snapshot = PgSnapshot.Parse((string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        return !snapshot.AnyInProgressBelow((ulong)inFlight);
    }

    private static ulong ParseXid(string text) => ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    public override GlobalCursor OpenCursor(GlobalQuery query, long position) => new Cursor(this, query, position);

    public override async ValueTask DisposeAsync()
    {
        PostgresNotificationListener? listener;
        lock (_gate)
        {
            _disposed = true;
            listener = _listener;
        }
        if (listener is not null) await listener.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A global-order cursor with gap safety (<see cref="GapTracker"/>).</summary>
    private sealed class Cursor(PostgresQueryStore store, GlobalQuery query, long position) : GlobalCursor(position)
    {
        private readonly GapTracker _gaps = new();

        /// <summary>Every ordering at or below this is final (visible for good, or known never to appear).</summary>
        private long _settled = position;

        public override async Task<GlobalPage> ReadAsync(int limit, long end, CancellationToken cancellationToken)
        {
            store.CountPage();
            await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);

            if (Position < Math.Min(_settled, end))
            {
                // Still inside the settled range: what is there is final, any snapshot will do.
                var bound = Math.Min(_settled, end);
                var rows = await ReadRowsAsync(connection, null, bound, limit, cancellationToken).ConfigureAwait(false);
                Advance(rows, limit, bound);
                return new GlobalPage(rows, CaughtUp: false, Blocked: false);
            }

            // The snapshot, the window of orderings and the rows all in one snapshot (REPEATABLE READ: the first
            // statement's snapshot is the transaction's, and pg_current_snapshot() returns it).
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken)
                .ConfigureAwait(false);
            var (snapshot, window) = await ReadWindowAsync(connection, transaction, end, cancellationToken).ConfigureAwait(false);
            var decision = _gaps.Settle(snapshot, Position, end, window);
            if (decision.NeedsXidBound)
            {
                // A gap that may or may not fill: an xid taken now is above the xid of every writer that could fill it.
                decision = _gaps.Settle(snapshot, Position, end, window, await TakeXidAsync(connection, transaction, cancellationToken)
                    .ConfigureAwait(false));
            }
            var (safe, blocked) = (decision.Safe, decision.Blocked);
            _settled = Math.Max(_settled, safe);

            var upTo = Math.Min(_settled, end);
            IReadOnlyList<StoredEvent> page = [];
            if (upTo > Position)
            {
                page = await ReadRowsAsync(connection, transaction, upTo, limit, cancellationToken).ConfigureAwait(false);
                Advance(page, limit, upTo);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

            var more = Position < upTo || (window.Full && !blocked);
            return new GlobalPage(page, CaughtUp: !more, Blocked: blocked && !more);
        }

        private static async Task<ulong> TakeXidAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand("SELECT pg_current_xact_id()::text", connection, transaction);
            return ParseXid((string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }

        private async Task<(PgSnapshot, OrderingWindow)> ReadWindowAsync(
            NpgsqlConnection connection, NpgsqlTransaction transaction, long end, CancellationToken cancellationToken)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_current_snapshot()::text"));
            var window = new NpgsqlBatchCommand(store._windowSql);
            window.Parameters.Add(new NpgsqlParameter { Value = Position });
            window.Parameters.Add(new NpgsqlParameter { Value = end });
            window.Parameters.Add(new NpgsqlParameter { Value = (long)store._settings.OrderingScanSize });
            batch.BatchCommands.Add(window);

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var snapshot = PgSnapshot.Parse(reader.GetString(0));
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);

            var gaps = new List<(long, long)>();
            long highest = 0, count = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var (prev, ordering) = (reader.GetInt64(0), reader.GetInt64(1));
                (highest, count) = (reader.GetInt64(2), reader.GetInt64(3));
                if (ordering > prev + 1) gaps.Add((prev, ordering));
            }
            return (snapshot, count == 0
                ? OrderingWindow.Empty
                : new OrderingWindow((int)count, count >= store._settings.OrderingScanSize, highest, gaps));
        }

        private async Task<IReadOnlyList<StoredEvent>> ReadRowsAsync(
            NpgsqlConnection connection, NpgsqlTransaction? transaction, long upTo, int limit, CancellationToken cancellationToken)
        {
            var sql = query.Kind switch
            {
                GlobalQueryKind.Tag => store._tagSql,
                GlobalQueryKind.PersistenceIds => store._persistenceIdOfEventsSql,
                _ => store._allEventsSql,
            };
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = Position });
            command.Parameters.Add(new NpgsqlParameter { Value = upTo });
            command.Parameters.Add(new NpgsqlParameter { Value = (long)limit });
            if (query.Kind == GlobalQueryKind.Tag) command.Parameters.Add(new NpgsqlParameter { Value = query.Tag });

            // At most one row per ordering in (Position, upTo]: sized for the limit, a live query's few rows cost a 64 KB list per page.
            var rows = new List<StoredEvent>((int)Math.Clamp(Math.Min(Math.Min(limit, 1024), upTo - Position), 0, 1024));
            if (query.Kind != GlobalQueryKind.PersistenceIds)
            {
                await store.ReadEventsAsync(command, rows, cancellationToken).ConfigureAwait(false);
                return rows;
            }
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                rows.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), 0, 0, null, "", null, []));
            return rows;
        }
    }
}
