using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Batching;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Sql.Sqlite;

/// <summary>
/// Writes a batch in one <c>BEGIN IMMEDIATE … COMMIT</c> on the journal's own connection, with prepared statements.
/// <para>
/// Single-event writes (what a persistent actor's Persist makes) go in multi-row INSERTs of up to
/// <see cref="SqliteWriterStatements.MaxRowsPerInsert"/> rows with <c>ON CONFLICT (persistence_id, sequence_nr)
/// DO NOTHING RETURNING</c>: a row that is not returned hit the fence, and only its write fails. No savepoint is
/// needed (a one-event write is all-or-nothing by itself), and one statement carries many events. A run of such rows
/// never holds two writes of the same persistence id, so a write that follows a failed one of its actor is never
/// attempted (no gaps). Multi-event writes run inside their own SAVEPOINT, rolled back on a duplicate.
/// </para>
/// <para>
/// The tag rows of the whole batch are inserted by one statement at the end, from the tags column of the rows this
/// transaction wrote (it holds the write lock, and orderings only grow, so they are exactly the rows from the first
/// ordering it got). Any other error rolls back the whole transaction, closes the connection (the next batch opens a
/// fresh one) and fails the batch. Nothing counts as stored before the commit.
/// </para>
/// </summary>
internal sealed class SqliteBatchWriter(SqliteDatabase database) : IBatchWriter
{
    // SQLITE_CONSTRAINT_UNIQUE: only UNIQUE (persistence_id, sequence_nr) can raise it (event_tag's key raises
    // SQLITE_CONSTRAINT_PRIMARYKEY, and cannot collide anyway: tags are distinct per event, orderings unique).
    private const int SqliteConstraintUnique = 2067;

    private SqliteWriterStatements? _statements;
    private readonly Dictionary<string, int> _run = new(SqliteWriterStatements.MaxRowsPerInsert, StringComparer.Ordinal);

    public async Task<int> WriteAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        await database.Initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        using var turn = await database.WriteGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var statements = _statements ??= new SqliteWriterStatements(database.OpenWriter());
        var batch = new BatchState(writes.Count);
        try
        {
            statements.Begin.ExecuteNonQuery();
            var i = 0;
            while (i < writes.Count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var write = writes[i];
                if (batch.HasFailed(write.PersistenceId))
                {
                    batch.Decided[i++] = PendingWrite.AfterEarlierFailure(write.PersistenceId);
                    continue;
                }
                if (write.Events.Length > 1)
                {
                    WriteInSavepoint(statements, write, i, batch);
                    i++;
                    continue;
                }
                i = WriteRun(statements, writes, i, batch);
            }
            if (batch.Tagged) statements.InsertTagsFrom(batch.FirstOrdering);
            statements.Commit.ExecuteNonQuery();
        }
        catch
        {
            Abort(statements);
            throw;
        }

        // Only now, after the commit, does any write count as stored.
        for (var i = 0; i < writes.Count; i++) writes[i].Outcome = batch.Decided[i];
        return batch.Stored > 0 ? 1 : 0;
    }

    /// <summary>
    /// Inserts the single-event writes from <paramref name="start"/> on, as long as their persistence ids are distinct
    /// and have not failed in this batch, in one multi-row statement; returns where the run stopped.
    /// </summary>
    private int WriteRun(SqliteWriterStatements statements, IReadOnlyList<PendingWrite> writes, int start, BatchState batch)
    {
        _run.Clear();
        var end = start;
        while (end < writes.Count && end - start < SqliteWriterStatements.MaxRowsPerInsert)
        {
            var write = writes[end];
            if (write.Events.Length != 1 || batch.HasFailed(write.PersistenceId) || !_run.TryAdd(write.PersistenceId, end)) break;
            end++;
        }

        var insert = statements.InsertRows(end - start);
        var parameters = insert.Parameters;
        for (var i = start; i < end; i++) SqliteWriterStatements.Bind(parameters, (i - start) * SqliteWriterStatements.Columns, writes[i].Events[0]);

        // RETURNING gives the rows that were inserted; the others hit the fence.
        using (var reader = insert.ExecuteReader())
        {
            while (reader.Read())
            {
                var index = _run[reader.GetString(1)];
                batch.Stored++;
                batch.Decided[index] = new WriteResult.Stored(batch.Inserted(reader.GetInt64(0), writes[index].Events[0]));
            }
        }
        for (var i = start; i < end; i++)
        {
            if (batch.Decided[i] is not null) continue;
            batch.Decided[i] = new WriteResult.Failed(writes[i].Duplicate());
            batch.Fail(writes[i].PersistenceId);
        }
        return end;
    }

    private static void WriteInSavepoint(SqliteWriterStatements statements, PendingWrite write, int index, BatchState batch)
    {
        statements.Savepoint.ExecuteNonQuery();
        try
        {
            long ordering = 0;
            var first = long.MaxValue;
            foreach (var e in write.Events)
            {
                ordering = statements.InsertOne(e);
                first = Math.Min(first, ordering);
            }
            statements.Release.ExecuteNonQuery();
            foreach (var e in write.Events) batch.Inserted(first, e);
            batch.Stored++;
            batch.Decided[index] = new WriteResult.Stored(ordering);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintUnique)
        {
            statements.RollbackToSavepoint.ExecuteNonQuery();
            batch.Decided[index] = new WriteResult.Failed(write.Duplicate(e));
            batch.Fail(write.PersistenceId);
        }
    }

    private void Abort(SqliteWriterStatements statements)
    {
        try
        {
            statements.Rollback.ExecuteNonQuery();
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

    /// <summary>What one batch decided so far.</summary>
    private sealed class BatchState(int count)
    {
        private HashSet<string>? _failedIds;

        public WriteResult?[] Decided { get; } = new WriteResult?[count];
        public int Stored { get; set; }
        public long FirstOrdering { get; private set; } = long.MaxValue;
        public bool Tagged { get; private set; }

        public bool HasFailed(string persistenceId) => _failedIds is not null && _failedIds.Contains(persistenceId);

        public void Fail(string persistenceId) => (_failedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(persistenceId);

        /// <summary>Notes a stored row (for the tag rows written at the end); returns its ordering.</summary>
        public long Inserted(long ordering, SerializedEvent e)
        {
            FirstOrdering = Math.Min(FirstOrdering, ordering);
            Tagged |= e.Tags.Length > 0;
            return ordering;
        }
    }
}
