using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;
using Npgsql;

namespace Actors.Persistence.Sql.Postgres;

/// <summary>
/// Snapshots in PostgreSQL (table snapshot in the configured schema), serialized with the event serializer.
/// Its connections commit with synchronous_commit=off: the WAL is sequential, so the journal's next (synchronous) commit
/// flushes every snapshot committed before it; a crash can only lose the last snapshots (a longer replay), never
/// leave a later write without them. A burst of snapshots (many actors reaching their interval together) runs at most
/// <see cref="MaxConcurrentWrites"/> at a time, so it neither opens a connection per actor nor crowds out the journal.
/// </summary>
public sealed class PostgresSnapshotStore : ISnapshotStore, IAsyncDisposable
{
    private const int MaxConcurrentWrites = 4;

    private readonly SemaphoreSlim _writes = new(MaxConcurrentWrites, MaxConcurrentWrites);
    private readonly IEventSerializer _serializer;
    private readonly PostgresDatabase _database;
    private readonly string _loadSql;
    private readonly string _saveSql;
    private readonly string _deleteSql;
    private readonly string _deleteAtTimestampSql;
    private readonly string _deleteMatchingSql;

    public PostgresSnapshotStore(PostgresJournalOptions options, IEventSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        _serializer = serializer;
        _database = new PostgresDatabase(options, asynchronousCommit: true);
        const string matching = "persistence_id = $1 AND sequence_nr >= $2 AND sequence_nr <= $3 AND created >= $4 AND created <= $5";
        _loadSql = $"SELECT sequence_nr, created, manifest, payload FROM {_database.Snapshot} WHERE {matching} ORDER BY sequence_nr DESC LIMIT 1";
        _saveSql =
            $"""
            INSERT INTO {_database.Snapshot} (persistence_id, sequence_nr, created, manifest, payload)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (persistence_id, sequence_nr)
            DO UPDATE SET created = EXCLUDED.created, manifest = EXCLUDED.manifest, payload = EXCLUDED.payload
            """;
        _deleteSql = $"DELETE FROM {_database.Snapshot} WHERE persistence_id = $1 AND sequence_nr = $2";
        _deleteAtTimestampSql = $"DELETE FROM {_database.Snapshot} WHERE persistence_id = $1 AND sequence_nr = $2 AND created = $3";
        _deleteMatchingSql = $"DELETE FROM {_database.Snapshot} WHERE {matching}";
    }

    /// <summary>Creates the schema and tables if missing (idempotent).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _database.InitializeSchemaAsync(cancellationToken);

    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var bounds = SnapshotCriteriaBounds.From(criteria);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_loadSql, connection);
        AddCriteria(command, persistenceId, bounds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var metadata = new SnapshotMetadata(persistenceId, reader.GetInt64(0), UnixTime.FromMillis(reader.GetInt64(1)));
        var snapshot = _serializer.Deserialize(reader.GetString(2), reader.GetFieldValue<byte[]>(3));
        return new SelectedSnapshot(metadata, snapshot);
    }

    public async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentException.ThrowIfNullOrEmpty(metadata.PersistenceId);
        var serialized = _serializer.Serialize(snapshot);
        var created = metadata.Timestamp == default ? DateTimeOffset.UtcNow : metadata.Timestamp;
        using var slot = await WriteSlotAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_saveSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = metadata.PersistenceId });
        command.Parameters.Add(new NpgsqlParameter { Value = metadata.SequenceNr });
        command.Parameters.Add(new NpgsqlParameter { Value = UnixTime.ToMillis(created) });
        command.Parameters.Add(new NpgsqlParameter { Value = serialized.Manifest });
        command.Parameters.Add(new NpgsqlParameter { Value = serialized.Bytes });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the snapshot at the metadata's sequence number; also matching its timestamp unless that is default.</summary>
    public async Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentException.ThrowIfNullOrEmpty(metadata.PersistenceId);
        using var slot = await WriteSlotAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var atTimestamp = metadata.Timestamp != default;
        await using var command = new NpgsqlCommand(atTimestamp ? _deleteAtTimestampSql : _deleteSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = metadata.PersistenceId });
        command.Parameters.Add(new NpgsqlParameter { Value = metadata.SequenceNr });
        if (atTimestamp) command.Parameters.Add(new NpgsqlParameter { Value = UnixTime.ToMillis(metadata.Timestamp) });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var bounds = SnapshotCriteriaBounds.From(criteria);
        using var slot = await WriteSlotAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_deleteMatchingSql, connection);
        AddCriteria(command, persistenceId, bounds);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<WriteSlot> WriteSlotAsync(CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new WriteSlot(_writes);
    }

    private sealed class WriteSlot(SemaphoreSlim writes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) writes.Release();
        }
    }

    private static void AddCriteria(NpgsqlCommand command, string persistenceId, SnapshotCriteriaBounds bounds)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
        command.Parameters.Add(new NpgsqlParameter { Value = bounds.MinSequenceNr });
        command.Parameters.Add(new NpgsqlParameter { Value = bounds.MaxSequenceNr });
        command.Parameters.Add(new NpgsqlParameter { Value = bounds.MinCreated });
        command.Parameters.Add(new NpgsqlParameter { Value = bounds.MaxCreated });
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
