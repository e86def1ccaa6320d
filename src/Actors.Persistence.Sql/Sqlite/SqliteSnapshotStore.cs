using System.Buffers;
using System.Text;
using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Actors.Persistence.Sql.Sqlite;

/// <summary>
/// Snapshots in the same SQLite file as the journal (table snapshot), serialized with the event serializer.
/// Writes commit with synchronous=NORMAL (no fsync of their own) when the journal's mode is FULL or EXTRA: in WAL mode
/// the journal's next commit syncs the WAL file, and with it every earlier commit, so a snapshot is durable as soon
/// as anything later is, and a power loss can only take the last snapshots (the actor then replays a few more events),
/// never leave a later write without them. An account actor snapshotting every 100 events would otherwise add one
/// fsync per 100 events to the file's single write lock.
/// </summary>
public sealed class SqliteSnapshotStore : ISnapshotStore, IAsyncDisposable
{
    private readonly IEventSerializer _serializer;
    private readonly SqliteDatabase _database;

    public SqliteSnapshotStore(SqliteJournalOptions options, IEventSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        _serializer = serializer;
        _database = new SqliteDatabase(options, options.Synchronous >= SqliteSynchronous.Full ? SqliteSynchronous.Normal : null);
    }

    /// <summary>Creates the schema if missing (idempotent).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _database.InitializeSchemaAsync(cancellationToken);

    // Positional parameters: it runs as the read connection's native statement.
    private const string LoadSql =
        """
        SELECT sequence_nr, created, manifest, payload FROM snapshot
        WHERE persistence_id = ?1
          AND sequence_nr >= ?2 AND sequence_nr <= ?3
          AND created >= ?4 AND created <= ?5
        ORDER BY sequence_nr DESC
        LIMIT 1;
        """;

    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var bounds = SnapshotCriteriaBounds.From(criteria);
        Row? row;
        using (var lease = await _database.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                row = ReadRow(lease.NativeStatement(LoadSql), lease.NativeConnection, persistenceId, bounds);
            }
            catch
            {
                lease.Fail();
                throw;
            }
        }
        if (row is not { } found) return null;
        // Deserialized after the connection went back: a big snapshot does not hold a reader. The payload was copied
        // into a pooled buffer (a snapshot with a full idempotency window is ~100 KB: a large-object-heap array each
        // time otherwise).
        try
        {
            var metadata = new SnapshotMetadata(persistenceId, found.SequenceNr, UnixTime.FromMillis(found.Created));
            return new SelectedSnapshot(metadata, _serializer.Deserialize(found.Manifest, found.Payload.AsSpan(0, found.Length)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(found.Payload);
        }
    }

    private readonly record struct Row(long SequenceNr, long Created, string Manifest, byte[] Payload, int Length);

    private static Row? ReadRow(sqlite3_stmt statement, sqlite3 connection, string persistenceId, SnapshotCriteriaBounds bounds)
    {
        try
        {
            Check(raw.sqlite3_bind_text(statement, 1, persistenceId), connection);
            Check(raw.sqlite3_bind_int64(statement, 2, bounds.MinSequenceNr), connection);
            Check(raw.sqlite3_bind_int64(statement, 3, bounds.MaxSequenceNr), connection);
            Check(raw.sqlite3_bind_int64(statement, 4, bounds.MinCreated), connection);
            Check(raw.sqlite3_bind_int64(statement, 5, bounds.MaxCreated), connection);
            var rc = raw.sqlite3_step(statement);
            if (rc == raw.SQLITE_DONE) return null;
            if (rc != raw.SQLITE_ROW) SqliteException.ThrowExceptionForRC(rc, connection);
            var payload = raw.sqlite3_column_blob(statement, 3);
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, payload.Length));
            payload.CopyTo(buffer);
            return new Row(
                raw.sqlite3_column_int64(statement, 0), raw.sqlite3_column_int64(statement, 1),
                Encoding.UTF8.GetString(raw.sqlite3_column_blob(statement, 2)), buffer, payload.Length);
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

    public async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentException.ThrowIfNullOrEmpty(metadata.PersistenceId);
        var serialized = _serializer.Serialize(snapshot);
        var created = metadata.Timestamp == default ? DateTimeOffset.UtcNow : metadata.Timestamp;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var turn = await _database.WriteGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            INSERT INTO snapshot (persistence_id, sequence_nr, created, manifest, payload)
            VALUES ($persistence_id, $sequence_nr, $created, $manifest, $payload)
            ON CONFLICT (persistence_id, sequence_nr)
            DO UPDATE SET created = excluded.created, manifest = excluded.manifest, payload = excluded.payload;
            """;
        command.Parameters.AddWithValue("$persistence_id", metadata.PersistenceId);
        command.Parameters.AddWithValue("$sequence_nr", metadata.SequenceNr);
        command.Parameters.AddWithValue("$created", UnixTime.ToMillis(created));
        command.Parameters.AddWithValue("$manifest", serialized.Manifest);
        command.Parameters.AddWithValue("$payload", serialized.Bytes);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the snapshot at the metadata's sequence number; also matching its timestamp unless that is default.</summary>
    public async Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentException.ThrowIfNullOrEmpty(metadata.PersistenceId);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var turn = await _database.WriteGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = metadata.Timestamp == default
            ? "DELETE FROM snapshot WHERE persistence_id = $persistence_id AND sequence_nr = $sequence_nr;"
            : "DELETE FROM snapshot WHERE persistence_id = $persistence_id AND sequence_nr = $sequence_nr AND created = $created;";
        command.Parameters.AddWithValue("$persistence_id", metadata.PersistenceId);
        command.Parameters.AddWithValue("$sequence_nr", metadata.SequenceNr);
        command.Parameters.AddWithValue("$created", UnixTime.ToMillis(metadata.Timestamp));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var bounds = SnapshotCriteriaBounds.From(criteria);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var turn = await _database.WriteGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            DELETE FROM snapshot
            WHERE persistence_id = $persistence_id
              AND sequence_nr >= $min_seq AND sequence_nr <= $max_seq
              AND created >= $min_created AND created <= $max_created;
            """;
        AddCriteria(command, persistenceId, bounds);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddCriteria(SqliteCommand command, string persistenceId, SnapshotCriteriaBounds bounds)
    {
        command.Parameters.AddWithValue("$persistence_id", persistenceId);
        command.Parameters.AddWithValue("$min_seq", bounds.MinSequenceNr);
        command.Parameters.AddWithValue("$max_seq", bounds.MaxSequenceNr);
        command.Parameters.AddWithValue("$min_created", bounds.MinCreated);
        command.Parameters.AddWithValue("$max_created", bounds.MaxCreated);
    }

    /// <summary>Closes the store's read connections.</summary>
    public ValueTask DisposeAsync()
    {
        _database.Dispose();
        return ValueTask.CompletedTask;
    }
}
