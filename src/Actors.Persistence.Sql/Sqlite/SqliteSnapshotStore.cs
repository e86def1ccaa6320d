using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;

namespace Actors.Persistence.Sql.Sqlite;

/// <summary>Snapshots in the same SQLite file as the journal (table snapshot), serialized with the event serializer.</summary>
public sealed class SqliteSnapshotStore : ISnapshotStore
{
    private readonly IEventSerializer _serializer;
    private readonly SqliteDatabase _database;

    public SqliteSnapshotStore(SqliteJournalOptions options, IEventSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        _serializer = serializer;
        _database = new SqliteDatabase(options);
    }

    /// <summary>Creates the schema if missing (idempotent).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _database.InitializeSchemaAsync(cancellationToken);

    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var bounds = SnapshotCriteriaBounds.From(criteria);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT sequence_nr, created, manifest, payload FROM snapshot
            WHERE persistence_id = $persistence_id
              AND sequence_nr >= $min_seq AND sequence_nr <= $max_seq
              AND created >= $min_created AND created <= $max_created
            ORDER BY sequence_nr DESC
            LIMIT 1;
            """;
        AddCriteria(command, persistenceId, bounds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var metadata = new SnapshotMetadata(persistenceId, reader.GetInt64(0), UnixTime.FromMillis(reader.GetInt64(1)));
        var snapshot = _serializer.Deserialize(reader.GetString(2), (byte[])reader.GetValue(3));
        return new SelectedSnapshot(metadata, snapshot);
    }

    public async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentException.ThrowIfNullOrEmpty(metadata.PersistenceId);
        var serialized = _serializer.Serialize(snapshot);
        var created = metadata.Timestamp == default ? DateTimeOffset.UtcNow : metadata.Timestamp;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
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

    private static void AddCriteria(Microsoft.Data.Sqlite.SqliteCommand command, string persistenceId, SnapshotCriteriaBounds bounds)
    {
        command.Parameters.AddWithValue("$persistence_id", persistenceId);
        command.Parameters.AddWithValue("$min_seq", bounds.MinSequenceNr);
        command.Parameters.AddWithValue("$max_seq", bounds.MaxSequenceNr);
        command.Parameters.AddWithValue("$min_created", bounds.MinCreated);
        command.Parameters.AddWithValue("$max_created", bounds.MaxCreated);
    }
}
