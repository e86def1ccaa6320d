using System.Data;
using System.Runtime.CompilerServices;
using Actors.Persistence.Query.Internal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql;
using Actors.Persistence.Sql.Postgres;
using Npgsql;

namespace Actors.Persistence.Query;

internal sealed class PostgresQueryStore : QueryStore
{
    // Serializes concurrent trigger creation (CREATE OR REPLACE FUNCTION races with itself). "ActorSRJ".
    private const long TriggerLockKey = 0x4163746F7253524A;

    private readonly PostgresJournalOptions _journalOptions;
    private readonly IEventSerializer _serializer;
    private readonly PostgresJournal? _journal;
    private readonly ReadJournalOptions _options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly AsyncInitializer _initializer;

    private readonly string _highestSql;
    private readonly string _byPersistenceIdSql;
    private readonly string _persistenceIdsSql;
    private readonly string _startSql;
    private readonly string _windowSql;
    private readonly string _allEventsSql;
    private readonly string _tagSql;
    private readonly string _persistenceIdOfEventsSql;
    private readonly string _triggerExistsSql;

    public PostgresQueryStore(PostgresJournalOptions journalOptions, IEventSerializer serializer, PostgresJournal? journal, ReadJournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(journalOptions);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentException.ThrowIfNullOrWhiteSpace(journalOptions.ConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(journalOptions.Schema);
        _journalOptions = journalOptions;
        _serializer = serializer;
        _journal = journal;
        _options = options;
        _dataSource = NpgsqlDataSource.Create(journalOptions.ConnectionString);
        _initializer = new AsyncInitializer(InitializeCoreAsync);

        var schema = PostgresNames.QuoteIdentifier(journalOptions.Schema);
        var journalTable = schema + ".journal";
        var eventTag = schema + ".event_tag";
        var metadata = schema + ".metadata";

        _highestSql = $"SELECT coalesce(max(ordering), 0) FROM {journalTable}";
        _byPersistenceIdSql =
            $"""
            SELECT {StoredRows.EventColumns()} FROM {journalTable}
            WHERE persistence_id = $1 AND sequence_nr >= $2 AND sequence_nr <= $3 ORDER BY sequence_nr LIMIT $4
            """;
        // A loose index scan over (persistence_id, sequence_nr): one index probe per id, not per event; plus the ids
        // whose events were all deleted (metadata). Name order, after $1.
        _persistenceIdsSql =
            $"""
            WITH RECURSIVE ids(persistence_id) AS (
                (SELECT persistence_id FROM {journalTable} WHERE persistence_id > $1 ORDER BY persistence_id LIMIT 1)
              UNION ALL
                SELECT (SELECT j.persistence_id FROM {journalTable} j WHERE j.persistence_id > ids.persistence_id ORDER BY j.persistence_id LIMIT 1)
                FROM ids WHERE ids.persistence_id IS NOT NULL
            )
            SELECT persistence_id FROM (
                (SELECT persistence_id FROM ids WHERE persistence_id IS NOT NULL LIMIT $2)
              UNION
                (SELECT persistence_id FROM {metadata} WHERE persistence_id > $1 ORDER BY persistence_id LIMIT $2)
            ) u ORDER BY persistence_id LIMIT $2
            """;
        // One statement, one snapshot: its in-progress list, the highest ordering in it, and an xid taken after it.
        _startSql =
            $"SELECT pg_current_snapshot()::text, coalesce((SELECT max(ordering) FROM {journalTable}), 0), pg_current_xact_id()::text";
        // The visible global orderings in ($1, $2], at most $3 of them: returns each row that follows a gap (with the
        // visible ordering before it, or $1) and the last row, each with the window's highest ordering and row count.
        _windowSql =
            $"""
            SELECT prev, ordering, highest, n FROM (
                SELECT ordering,
                       lag(ordering, 1, $1) OVER (ORDER BY ordering) AS prev,
                       max(ordering) OVER () AS highest,
                       count(*) OVER () AS n
                FROM (SELECT ordering FROM {journalTable} WHERE ordering > $1 AND ordering <= $2 ORDER BY ordering LIMIT $3) s
            ) w
            WHERE ordering > prev + 1 OR ordering = highest
            ORDER BY ordering
            """;
        _allEventsSql =
            $"""
            SELECT {StoredRows.EventColumns()} FROM {journalTable}
            WHERE ordering > $1 AND ordering <= $2 ORDER BY ordering LIMIT $3
            """;
        _tagSql =
            $"""
            SELECT {StoredRows.EventColumns("j.")} FROM {eventTag} t JOIN {journalTable} j ON j.ordering = t.ordering
            WHERE t.tag = $4 AND t.ordering > $1 AND t.ordering <= $2 ORDER BY t.ordering LIMIT $3
            """;
        _persistenceIdOfEventsSql =
            $"SELECT ordering, persistence_id FROM {journalTable} WHERE ordering > $1 AND ordering <= $2 ORDER BY ordering LIMIT $3";
        _triggerExistsSql =
            $"SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{PostgresNames.TriggerName}' AND tgrelid = to_regclass($1))";
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => _initializer.RunAsync(cancellationToken);

    /// <summary>The tables are the journal's: let a journal create them (the attached one, or a short-lived one); then the trigger.</summary>
    private async Task InitializeCoreAsync(CancellationToken cancellationToken)
    {
        if (_journal is not null)
        {
            await _journal.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var journal = new PostgresJournal(_journalOptions, _serializer);
            await using (journal.ConfigureAwait(false))
                await journal.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_options.CreateNotifyTrigger) await CreateTriggerAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task CreateTriggerAsync(CancellationToken cancellationToken)
    {
        var journalTable = PostgresNames.QuoteIdentifier(_journalOptions.Schema) + ".journal";
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await TriggerExistsAsync(connection, null, journalTable, cancellationToken).ConfigureAwait(false)) return;

        // CREATE TRIGGER locks out writers for a moment, so only when it is missing, and one creator at a time.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = TriggerLockKey });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        if (!await TriggerExistsAsync(connection, transaction, journalTable, cancellationToken).ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand(PostgresNames.NotifyTriggerSql(_journalOptions.Schema), connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> TriggerExistsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string journalTable, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_triggerExistsSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = journalTable });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_journalOptions.AutoInitialize) await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task<long> HighestOffsetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_highestSql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// No gap logic by persistence id: its events are written by one writer in sequence order (one write lane per id,
    /// each write committed before the next is sent), so they become visible in sequence order.
    /// </summary>
    public override async Task<IReadOnlyList<EventEnvelope>> ReadByPersistenceIdAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, int limit, CancellationToken cancellationToken)
    {
        CountPage();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_byPersistenceIdSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
        command.Parameters.Add(new NpgsqlParameter { Value = fromSequenceNr });
        command.Parameters.Add(new NpgsqlParameter { Value = toSequenceNr });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)limit });
        var page = new List<EventEnvelope>(Math.Min(limit, 1024));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            page.Add(StoredRows.ReadEnvelope(reader, _serializer));
        return page;
    }

    public override async IAsyncEnumerable<string> ScanPersistenceIdsAsync(int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
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
            foreach (var id in page) yield return id;
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
        var snapshot = await CurrentSnapshotAsync(cancellationToken).ConfigureAwait(false);
        return !snapshot.AnyInProgressBelow((ulong)inFlight);
    }

    private static ulong ParseXid(string text) => ulong.Parse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);

    private async Task<PgSnapshot> CurrentSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT pg_current_snapshot()::text", connection);
        return PgSnapshot.Parse((string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }

    public override GlobalCursor OpenCursor(GlobalQuery query, long position) => new Cursor(this, query, position);

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

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
            IReadOnlyList<GlobalRow> page = [];
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
            window.Parameters.Add(new NpgsqlParameter { Value = (long)store._options.OrderingScanSize });
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
                : new OrderingWindow((int)count, count >= store._options.OrderingScanSize, highest, gaps));
        }

        private async Task<IReadOnlyList<GlobalRow>> ReadRowsAsync(
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

            var rows = new List<GlobalRow>(Math.Min(limit, 1024));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (query.Kind == GlobalQueryKind.PersistenceIds)
                {
                    rows.Add(new GlobalRow(reader.GetInt64(0), reader.GetString(1), null));
                    continue;
                }
                var envelope = StoredRows.ReadEnvelope(reader, store._serializer);
                rows.Add(new GlobalRow(envelope.Offset, envelope.PersistenceId, envelope));
            }
            return rows;
        }
    }
}
