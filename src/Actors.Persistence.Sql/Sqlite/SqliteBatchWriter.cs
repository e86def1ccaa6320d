using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Batching;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Sql.Sqlite;

/// <summary>
/// Writes a batch in one <c>BEGIN IMMEDIATE … COMMIT</c> on the journal's own connection, with prepared statements.
/// Each atomic write runs inside its own SAVEPOINT: a duplicate (persistence id, sequence number) rolls back just
/// that write and the rest of the batch commits. Any other error rolls back the whole transaction, closes the
/// connection (the next batch opens a fresh one) and fails the batch.
/// </summary>
internal sealed class SqliteBatchWriter(SqliteDatabase database) : IBatchWriter
{
    // SQLITE_CONSTRAINT_UNIQUE: only UNIQUE (persistence_id, sequence_nr) can raise it (event_tag's key raises
    // SQLITE_CONSTRAINT_PRIMARYKEY, and cannot collide anyway: tags are distinct per event, orderings unique).
    private const int SqliteConstraintUnique = 2067;

    private Statements? _statements;

    public async Task<int> WriteAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        await database.Initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var statements = _statements ??= new Statements(database.OpenWriter());
        var decided = new WriteResult[writes.Count];
        var stored = 0;
        try
        {
            statements.Begin.ExecuteNonQuery();
            HashSet<string>? failedIds = null;
            for (var i = 0; i < writes.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var write = writes[i];
                if (failedIds is not null && failedIds.Contains(write.PersistenceId))
                {
                    decided[i] = PendingWrite.AfterEarlierFailure(write.PersistenceId);
                    continue;
                }
                statements.Savepoint.ExecuteNonQuery();
                try
                {
                    var ordering = Insert(statements, write);
                    statements.Release.ExecuteNonQuery();
                    decided[i] = new WriteResult.Stored(ordering);
                    stored++;
                }
                catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintUnique)
                {
                    statements.RollbackToSavepoint.ExecuteNonQuery();
                    decided[i] = new WriteResult.Failed(write.Duplicate(e));
                    (failedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(write.PersistenceId);
                }
            }
            statements.Commit.ExecuteNonQuery();
        }
        catch
        {
            Abort(statements);
            throw;
        }

        // Only now, after the commit, does any write count as stored.
        for (var i = 0; i < writes.Count; i++) writes[i].Outcome = decided[i];
        return stored > 0 ? 1 : 0;
    }

    private static long Insert(Statements statements, PendingWrite write)
    {
        long ordering = 0;
        foreach (var e in write.Events)
        {
            var insert = statements.InsertEvent;
            insert.Parameters[0].Value = e.PersistenceId;
            insert.Parameters[1].Value = e.SequenceNr;
            insert.Parameters[2].Value = e.WriterId;
            insert.Parameters[3].Value = e.Manifest;
            insert.Parameters[4].Value = e.Payload;
            insert.Parameters[5].Value = e.Timestamp;
            insert.Parameters[6].Value = (object?)e.TagsJson ?? DBNull.Value;
            ordering = (long)insert.ExecuteScalar()!;

            foreach (var tag in e.Tags)
            {
                var insertTag = statements.InsertTag;
                insertTag.Parameters[0].Value = tag;
                insertTag.Parameters[1].Value = ordering;
                insertTag.Parameters[2].Value = e.PersistenceId;
                insertTag.Parameters[3].Value = e.SequenceNr;
                insertTag.ExecuteNonQuery();
            }
        }
        return ordering;
    }

    private void Abort(Statements statements)
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

    private sealed class Statements : IDisposable
    {
        private readonly SqliteConnection _connection;

        public Statements(SqliteConnection connection)
        {
            _connection = connection;
            Begin = Create("BEGIN IMMEDIATE;");
            Commit = Create("COMMIT;");
            Rollback = Create("ROLLBACK;");
            Savepoint = Create("SAVEPOINT atomic_write;");
            Release = Create("RELEASE atomic_write;");
            RollbackToSavepoint = Create("ROLLBACK TO atomic_write; RELEASE atomic_write;");
            InsertEvent = Create(
                """
                INSERT INTO journal (persistence_id, sequence_nr, writer_id, manifest, payload, timestamp, tags)
                VALUES ($persistence_id, $sequence_nr, $writer_id, $manifest, $payload, $timestamp, $tags)
                RETURNING ordering;
                """,
                ("$persistence_id", SqliteType.Text), ("$sequence_nr", SqliteType.Integer), ("$writer_id", SqliteType.Text),
                ("$manifest", SqliteType.Text), ("$payload", SqliteType.Blob), ("$timestamp", SqliteType.Integer), ("$tags", SqliteType.Text));
            InsertTag = Create(
                "INSERT INTO event_tag (tag, ordering, persistence_id, sequence_nr) VALUES ($tag, $ordering, $persistence_id, $sequence_nr);",
                ("$tag", SqliteType.Text), ("$ordering", SqliteType.Integer), ("$persistence_id", SqliteType.Text), ("$sequence_nr", SqliteType.Integer));
        }

        public SqliteCommand Begin { get; }
        public SqliteCommand Commit { get; }
        public SqliteCommand Rollback { get; }
        public SqliteCommand Savepoint { get; }
        public SqliteCommand Release { get; }
        public SqliteCommand RollbackToSavepoint { get; }
        public SqliteCommand InsertEvent { get; }
        public SqliteCommand InsertTag { get; }

        private SqliteCommand Create(string sql, params (string Name, SqliteType Type)[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters) command.Parameters.Add(name, type);
            return command;
        }

        public void Dispose()
        {
            foreach (var command in new[] { Begin, Commit, Rollback, Savepoint, Release, RollbackToSavepoint, InsertEvent, InsertTag })
                command.Dispose();
            _connection.Dispose();
        }
    }
}
