using System.Globalization;
using System.Text;
using Actors.Journal.Batching;
using Microsoft.Data.Sqlite;

namespace Actors.Journal.Sqlite;

/// <summary>
/// Writes a batch in one <c>BEGIN IMMEDIATE … COMMIT</c> on the journal's own connection (WAL, synchronous as configured).
/// <para>
/// Single-event writes (what Persist makes) go in multi-row INSERTs of up to rows-per-statement rows with <c>ON CONFLICT
/// (persistence_id, sequence_number) DO NOTHING RETURNING ordering, persistence_id</c>: a row that is not returned hit the
/// unique key, and only its write fails. A run never holds two writes of the same persistence id, and a write that follows
/// a failed one of its persistence id in the batch is not attempted (no gaps). Multi-event writes run inside their own
/// SAVEPOINT, rolled back on a duplicate: all or nothing. Then the tag rows of every stored event, with the orderings its
/// journal rows got. Any other error rolls back the whole transaction, drops the connection (the next batch opens a fresh
/// one) and fails the batch. Nothing counts as stored before the commit.
/// </para>
/// </summary>
internal sealed class SqliteBatchWriter(SqliteJournalStore store, int rowsPerStatement) : IBatchWriter
{
    // SQLITE_CONSTRAINT_UNIQUE: only journal_uq (persistence_id, sequence_number) can raise it here.
    private const int SqliteConstraintUnique = 2067;

    private Statements? _statements;
    private readonly Dictionary<string, int> _run = new(StringComparer.Ordinal);
    private readonly List<(long Ordering, EventRow Event)> _tagged = [];

    public async Task<int> WriteAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        await store.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var turn = await store.WriteGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var statements = _statements ??= new Statements(store.OpenWriter(), rowsPerStatement);
        var decided = new WriteResult?[writes.Count];
        HashSet<string>? failedIds = null;
        var stored = 0;
        _tagged.Clear();
        try
        {
            statements.Begin.Execute();
            var i = 0;
            while (i < writes.Count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var write = writes[i];
                if (failedIds is not null && failedIds.Contains(write.PersistenceId))
                {
                    decided[i++] = PendingWrite.AfterEarlierFailure(write.PersistenceId);
                    continue;
                }
                if (write.Events.Length > 1)
                {
                    if (WriteInSavepoint(statements, write, out var result)) stored++;
                    else (failedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(write.PersistenceId);
                    decided[i++] = result;
                    continue;
                }
                i = WriteRun(statements, writes, i, decided, ref failedIds, ref stored);
            }
            InsertTags(statements);
            statements.Commit.Execute();
        }
        catch
        {
            Abort(statements);
            throw;
        }
        finally
        {
            _tagged.Clear();
        }

        // Only now, after the commit, does any write count as stored.
        for (var i = 0; i < writes.Count; i++) writes[i].Outcome = decided[i];
        return stored > 0 ? 1 : 0;
    }

    /// <summary>
    /// Inserts the single-event writes from <paramref name="start"/> on, as long as their persistence ids are distinct and
    /// have not failed in this batch, in one statement; returns where the run stopped.
    /// </summary>
    private int WriteRun(Statements statements, IReadOnlyList<PendingWrite> writes, int start, WriteResult?[] decided,
        ref HashSet<string>? failedIds, ref int stored)
    {
        _run.Clear();
        var end = start;
        while (end < writes.Count && end - start < statements.RowsPerStatement)
        {
            var write = writes[end];
            if (write.Events.Length != 1 || (failedIds is not null && failedIds.Contains(write.PersistenceId))
                || !_run.TryAdd(write.PersistenceId, end)) break;
            end++;
        }

        var insert = statements.InsertRows(end - start, onConflictDoNothing: true);
        for (var i = start; i < end; i++) Statements.BindRow(insert, i - start, writes[i].Events[0]);
        // RETURNING gives the rows that were inserted; the others hit the unique key.
        while (insert.Step())
        {
            var index = _run[insert.GetString(1)];
            var ordering = insert.GetInt64(0);
            var e = writes[index].Events[0];
            if (e.Tags.Length > 0) _tagged.Add((ordering, e));
            decided[index] = new WriteResult.Stored(ordering);
            stored++;
        }
        insert.Reset();
        for (var i = start; i < end; i++)
        {
            if (decided[i] is not null) continue;
            decided[i] = writes[i].Duplicate();
            (failedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(writes[i].PersistenceId);
        }
        return end;
    }

    private bool WriteInSavepoint(Statements statements, PendingWrite write, out WriteResult result)
    {
        var taggedBefore = _tagged.Count;
        statements.Savepoint.Execute();
        try
        {
            long last = 0;
            var events = write.Events;
            for (var offset = 0; offset < events.Length; offset += statements.RowsPerStatement)
            {
                var rows = Math.Min(statements.RowsPerStatement, events.Length - offset);
                var insert = statements.InsertRows(rows, onConflictDoNothing: false);
                for (var r = 0; r < rows; r++) Statements.BindRow(insert, r, events[offset + r]);
                // Orderings follow the VALUES order (one writer, AUTOINCREMENT), but RETURNING's row order is unspecified:
                // match each ordering to its event by sequence number.
                while (insert.Step())
                {
                    var ordering = insert.GetInt64(0);
                    var sequenceNr = insert.GetInt64(2);
                    last = Math.Max(last, ordering);
                    var e = EventOf(events, offset, rows, sequenceNr);
                    if (e.Tags.Length > 0) _tagged.Add((ordering, e));
                }
                insert.Reset();
            }
            statements.Release.Execute();
            result = new WriteResult.Stored(last);
            return true;
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintUnique)
        {
            statements.RollbackToSavepoint.Execute();
            statements.Release.Execute();
            _tagged.RemoveRange(taggedBefore, _tagged.Count - taggedBefore);
            result = write.Duplicate(e);
            return false;
        }
    }

    private static EventRow EventOf(EventRow[] events, int offset, int rows, long sequenceNr)
    {
        // Sequence numbers of an AtomicWrite are consecutive, so this is a direct index; the scan is only a safety net.
        var guess = offset + (int)(sequenceNr - events[offset].SequenceNr);
        if (guess >= offset && guess < offset + rows && events[guess].SequenceNr == sequenceNr) return events[guess];
        for (var i = offset; i < offset + rows; i++)
            if (events[i].SequenceNr == sequenceNr) return events[i];
        throw new InvalidOperationException($"SQLite returned sequence number {sequenceNr}, which this write does not hold.");
    }

    private void InsertTags(Statements statements)
    {
        if (_tagged.Count == 0) return;
        var perStatement = statements.TagRowsPerStatement;
        var pending = 0;
        RawStatement? insert = null;
        var rowsLeft = 0;
        foreach (var t in _tagged) rowsLeft += t.Event.Tags.Length;
        foreach (var (ordering, e) in _tagged)
        {
            foreach (var tag in e.Tags)
            {
                if (insert is null)
                {
                    insert = statements.InsertTagRows(Math.Min(perStatement, rowsLeft));
                    pending = 0;
                }
                var p = pending * JournalSql.TagColumnCount;
                insert.Bind(p + 1, ordering);
                insert.Bind(p + 2, tag);
                insert.Bind(p + 3, e.SequenceNr);
                insert.Bind(p + 4, e.PersistenceId);
                pending++;
                rowsLeft--;
                if (pending == perStatement || rowsLeft == 0)
                {
                    insert.Execute();
                    insert = null;
                }
            }
        }
    }

    private void Abort(Statements statements)
    {
        try
        {
            statements.Rollback.Execute();
        }
        catch
        {
            // No transaction left to roll back, or the connection is broken; it is replaced below either way.
        }
        _statements = null;
        statements.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _statements?.Dispose();
        _statements = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>The writer's connection and its prepared statements, kept for the journal's life (or until an error).</summary>
    private sealed class Statements : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly RawStatement?[] _insertDoNothing;
        private readonly RawStatement?[] _insert;
        private readonly RawStatement?[] _insertTags;
        private readonly List<RawStatement> _all = [];

        public Statements(SqliteConnection connection, int rowsPerStatement)
        {
            _connection = connection;
            RowsPerStatement = rowsPerStatement;
            TagRowsPerStatement = rowsPerStatement * 2;
            _insertDoNothing = new RawStatement?[rowsPerStatement + 1];
            _insert = new RawStatement?[rowsPerStatement + 1];
            _insertTags = new RawStatement?[TagRowsPerStatement + 1];
            Begin = Create("BEGIN IMMEDIATE");
            Commit = Create("COMMIT");
            Rollback = Create("ROLLBACK");
            Savepoint = Create("SAVEPOINT atomic_write");
            Release = Create("RELEASE atomic_write");
            RollbackToSavepoint = Create("ROLLBACK TO atomic_write");
        }

        public int RowsPerStatement { get; }
        public int TagRowsPerStatement { get; }
        public RawStatement Begin { get; }
        public RawStatement Commit { get; }
        public RawStatement Rollback { get; }
        public RawStatement Savepoint { get; }
        public RawStatement Release { get; }
        public RawStatement RollbackToSavepoint { get; }

        /// <summary>INSERT of <paramref name="rows"/> journal rows, RETURNING ordering, persistence_id, sequence_number; made on first use.</summary>
        public RawStatement InsertRows(int rows, bool onConflictDoNothing)
        {
            var cache = onConflictDoNothing ? _insertDoNothing : _insert;
            if (cache[rows] is { } existing) return existing;
            var sql = new StringBuilder("INSERT INTO journal (").Append(JournalSql.Columns).Append(") VALUES ");
            for (var r = 0; r < rows; r++) sql.Append(r == 0 ? "" : ", ").Append("(?, 0, ?, ?, ?, ?, ?, ?)");
            if (onConflictDoNothing) sql.Append(" ON CONFLICT (persistence_id, sequence_number) DO NOTHING");
            sql.Append(" RETURNING ordering, persistence_id, sequence_number");
            return cache[rows] = Create(sql.ToString());
        }

        public RawStatement InsertTagRows(int rows)
        {
            if (_insertTags[rows] is { } existing) return existing;
            var sql = new StringBuilder("INSERT INTO tags (").Append(JournalSql.TagColumns).Append(") VALUES ");
            for (var r = 0; r < rows; r++) sql.Append(r == 0 ? "" : ", ").Append("(?, ?, ?, ?)");
            return _insertTags[rows] = Create(sql.ToString());
        }

        /// <summary>Binds row <paramref name="row"/>'s 7 parameters (deleted is the literal 0).</summary>
        public static void BindRow(RawStatement insert, int row, EventRow e)
        {
            var p = row * 7;
            insert.Bind(p + 1, e.Created);
            insert.Bind(p + 2, e.PersistenceId);
            insert.Bind(p + 3, e.SequenceNr);
            insert.Bind(p + 4, e.Message);
            insert.Bind(p + 5, e.Manifest);
            insert.Bind(p + 6, e.Identifier);
            insert.Bind(p + 7, e.WriterUuid);
        }

        private RawStatement Create(string sql)
        {
            var statement = new RawStatement(_connection.Handle!, sql);
            _all.Add(statement);
            return statement;
        }

        public void Dispose()
        {
            foreach (var statement in _all) statement.Dispose();
            _connection.Dispose();
        }
    }
}
