using Actors.Journal.Snapshots;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Journal.Postgres;

/// <summary>The snapshot table on one PostgreSQL database: pooled connections, statements prepared on each (kept by Npgsql across pool rentals).</summary>
internal sealed class PostgresSnapshotRows : ISnapshotRows
{
    private const string Columns = "sequence_number, created, snapshot, manifest, serializer_id";
    private const string Selection = "sequence_number <= $2 AND created <= $3 AND sequence_number >= $4 AND created >= $5";

    private readonly SnapshotSettings _settings;
    private readonly NpgsqlDataSource _dataSource;
    private readonly AsyncInitializer _initializer;

    public PostgresSnapshotRows(SnapshotSettings settings)
    {
        _settings = settings;
        _dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        _initializer = new AsyncInitializer(InitializeAsync);
    }

    public Task EnsureInitializedAsync(CancellationToken cancellationToken) => _initializer.EnsureAsync(cancellationToken);

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (!_settings.AutoInitialize) return;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = PostgresSnapshotSchema.LockKey });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var command = new NpgsqlCommand(PostgresSnapshotSchema.Create, connection, transaction))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SnapshotRow?> LoadAsync(string persistenceId, SnapshotBounds bounds, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT {Columns} FROM snapshot WHERE persistence_id = $1 AND {Selection} ORDER BY sequence_number DESC LIMIT 1", connection);
        AddKeyAndBounds(command, persistenceId, bounds);
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new SnapshotRow(persistenceId, reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2),
            reader.IsDBNull(3) ? "" : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt32(4));
    }

    public async Task SaveAsync(SnapshotRow row, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // As the stock store's InsertOrReplace: the row of the same (persistence_id, sequence_number) is replaced.
        await using var command = new NpgsqlCommand(
            $"INSERT INTO snapshot (persistence_id, {Columns}) VALUES ($1, $2, $3, $4, $5, $6) " +
            "ON CONFLICT (persistence_id, sequence_number) DO UPDATE SET created = excluded.created, snapshot = excluded.snapshot, " +
            "manifest = excluded.manifest, serializer_id = excluded.serializer_id", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.PersistenceId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.SequenceNr, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.Created, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = row.Payload, NpgsqlDbType = NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.Manifest, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)row.SerializerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string persistenceId, long sequenceNr, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("DELETE FROM snapshot WHERE persistence_id = $1 AND sequence_number = $2", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequenceNr, NpgsqlDbType = NpgsqlDbType.Bigint });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string persistenceId, SnapshotBounds bounds, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"DELETE FROM snapshot WHERE persistence_id = $1 AND {Selection}", connection);
        AddKeyAndBounds(command, persistenceId, bounds);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddKeyAndBounds(NpgsqlCommand command, string persistenceId, SnapshotBounds bounds)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bounds.MaxSequenceNr, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bounds.MaxCreated, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bounds.MinSequenceNr, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bounds.MinCreated, NpgsqlDbType = NpgsqlDbType.Bigint });
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}

/// <summary>The snapshot table exactly as Akka.Persistence.Sql 1.5.73 (linq2db, PostgreSQL.15, default table mapping) creates it.</summary>
internal static class PostgresSnapshotSchema
{
    // Any fixed number: serializes concurrent schema creation (CREATE ... IF NOT EXISTS races with itself).
    public const long LockKey = 0x4163746F72534E50; // "ActorSNP"

    public const string Create =
        """
        CREATE TABLE IF NOT EXISTS snapshot
        (
            persistence_id  text    NOT NULL,
            sequence_number bigint  NOT NULL,
            created         bigint  NOT NULL,
            snapshot        bytea       NULL,
            manifest        text        NULL,
            serializer_id   integer     NULL,

            CONSTRAINT "PK_snapshot" PRIMARY KEY (persistence_id, sequence_number)
        );
        CREATE INDEX IF NOT EXISTS snapshot_sequence_number_idx ON snapshot (sequence_number);
        CREATE INDEX IF NOT EXISTS snapshot_created_idx ON snapshot (created);
        """;
}
