using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;
using Microsoft.Data.Sqlite;

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

    private const string LoadSql =
        """
        SELECT sequence_nr, created, manifest, payload FROM snapshot
        WHERE persistence_id = $persistence_id
          AND sequence_nr >= $min_seq AND sequence_nr <= $max_seq
          AND created >= $min_created AND created <= $max_created
        ORDER BY sequence_nr DESC
        LIMIT 1;
        """;

    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var bounds = SnapshotCriteriaBounds.From(criteria);
        long sequenceNr, created;
        string manifest;
        byte[] payload;
        using (var lease = await _database.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var command = lease.Command(LoadSql,
                    ("$persistence_id", SqliteType.Text), ("$min_seq", SqliteType.Integer), ("$max_seq", SqliteType.Integer),
                    ("$min_created", SqliteType.Integer), ("$max_created", SqliteType.Integer));
                command.Parameters[0].Value = persistenceId;
                command.Parameters[1].Value = bounds.MinSequenceNr;
                command.Parameters[2].Value = bounds.MaxSequenceNr;
                command.Parameters[3].Value = bounds.MinCreated;
                command.Parameters[4].Value = bounds.MaxCreated;
                using var reader = command.ExecuteReader();
                if (!reader.Read()) return null;
                (sequenceNr, created, manifest, payload) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), (byte[])reader.GetValue(3));
            }
            catch
            {
                lease.Fail();
                throw;
            }
        }
        // Deserialized after the connection went back: a big snapshot does not hold a reader.
        var metadata = new SnapshotMetadata(persistenceId, sequenceNr, UnixTime.FromMillis(created));
        return new SelectedSnapshot(metadata, _serializer.Deserialize(manifest, payload));
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
