using Actors.Journal.Snapshots;
using Actors.Shared;
using Microsoft.Data.Sqlite;

namespace Actors.Journal.Sqlite;

/// <summary>
/// The snapshot table on one SQLite file. Loads run on the thread pool (Microsoft.Data.Sqlite is synchronous: run on the
/// store actor's thread, every load would wait for the one before), each on a kept-open connection whose load statement
/// stays prepared. Writes take the file's write gate in this process, like the journal's writer, then one statement.
/// </summary>
internal sealed class SqliteSnapshotRows : ISnapshotRows
{
    private const string Columns = "sequence_number, created, snapshot, manifest, serializer_id";

    private readonly SnapshotSettings _settings;
    private readonly string _connectionString;
    private readonly SqliteWriteGate _gate;
    private readonly AsyncInitializer _initializer;
    private readonly IdlePool<Reader> _readers;

    public SqliteSnapshotRows(SnapshotSettings settings)
    {
        _settings = settings;
        _connectionString = new SqliteConnectionStringBuilder(settings.ConnectionString)
        {
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(settings.SqliteBusyTimeout.TotalSeconds)),
        }.ToString();
        _gate = SqliteWriteGate.For(_connectionString);
        _initializer = new AsyncInitializer(InitializeAsync);
        _readers = new IdlePool<Reader>(settings.SqliteIdleReaders, () => new Reader(Open()));
    }

    public Task EnsureInitializedAsync(CancellationToken cancellationToken) => _initializer.EnsureAsync(cancellationToken);

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (!_settings.AutoInitialize) return;
        await using var connection = Open();
        using var turn = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        Execute(connection, SqliteSnapshotSchema.Create);
    }

    public async Task<SnapshotRow?> LoadAsync(string persistenceId, SnapshotBounds bounds, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => _readers.Use(reader => reader.Load(persistenceId, bounds)), cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveAsync(SnapshotRow row, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        // As the stock store's InsertOrReplace: the row of the same (persistence_id, sequence_number) is replaced.
        command.CommandText =
            $"INSERT INTO snapshot (persistence_id, {Columns}) VALUES ($pid, $seq, $created, $payload, $manifest, $serializer) " +
            "ON CONFLICT (persistence_id, sequence_number) DO UPDATE SET created = excluded.created, snapshot = excluded.snapshot, " +
            "manifest = excluded.manifest, serializer_id = excluded.serializer_id";
        command.Parameters.Add("$pid", SqliteType.Text).Value = row.PersistenceId;
        command.Parameters.Add("$seq", SqliteType.Integer).Value = row.SequenceNr;
        command.Parameters.Add("$created", SqliteType.Integer).Value = row.Created;
        command.Parameters.Add("$payload", SqliteType.Blob).Value = row.Payload;
        command.Parameters.Add("$manifest", SqliteType.Text).Value = row.Manifest;
        command.Parameters.Add("$serializer", SqliteType.Integer).Value = (object?)row.SerializerId ?? DBNull.Value;
        using var turn = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteAsync(string persistenceId, long sequenceNr, CancellationToken cancellationToken) =>
        DeleteWhereAsync("sequence_number = $seq", persistenceId, cancellationToken, ("$seq", sequenceNr));

    public Task DeleteAsync(string persistenceId, SnapshotBounds bounds, CancellationToken cancellationToken) =>
        DeleteWhereAsync(Reader.Selection, persistenceId, cancellationToken,
            ("$maxSeq", bounds.MaxSequenceNr), ("$maxCreated", bounds.MaxCreated), ("$minSeq", bounds.MinSequenceNr), ("$minCreated", bounds.MinCreated));

    private async Task DeleteWhereAsync(string condition, string persistenceId, CancellationToken cancellationToken, params (string Name, long Value)[] values)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM snapshot WHERE persistence_id = $pid AND {condition}";
        command.Parameters.Add("$pid", SqliteType.Text).Value = persistenceId;
        foreach (var (name, value) in values) command.Parameters.Add(name, SqliteType.Integer).Value = value;
        using var turn = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public ValueTask DisposeAsync()
    {
        _readers.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A connection with the load statement prepared (Microsoft.Data.Sqlite keeps it while the text stays).</summary>
    private sealed class Reader : IDisposable
    {
        /// <summary>Akka's selection criteria, all bounds inclusive (the stock store applies the maxima only; the minima default to 0).</summary>
        public const string Selection =
            "sequence_number <= $maxSeq AND created <= $maxCreated AND sequence_number >= $minSeq AND created >= $minCreated";

        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _load;
        private readonly SqliteParameter _pid, _maxSeq, _maxCreated, _minSeq, _minCreated;

        public Reader(SqliteConnection connection)
        {
            _connection = connection;
            _load = connection.CreateCommand();
            _load.CommandText = $"SELECT {Columns} FROM snapshot WHERE persistence_id = $pid AND {Selection} ORDER BY sequence_number DESC LIMIT 1";
            _pid = _load.Parameters.Add("$pid", SqliteType.Text);
            _maxSeq = _load.Parameters.Add("$maxSeq", SqliteType.Integer);
            _maxCreated = _load.Parameters.Add("$maxCreated", SqliteType.Integer);
            _minSeq = _load.Parameters.Add("$minSeq", SqliteType.Integer);
            _minCreated = _load.Parameters.Add("$minCreated", SqliteType.Integer);
        }

        public SnapshotRow? Load(string persistenceId, SnapshotBounds bounds)
        {
            _pid.Value = persistenceId;
            _maxSeq.Value = bounds.MaxSequenceNr;
            _maxCreated.Value = bounds.MaxCreated;
            _minSeq.Value = bounds.MinSequenceNr;
            _minCreated.Value = bounds.MinCreated;
            using var reader = _load.ExecuteReader();
            if (!reader.Read()) return null;
            return new SnapshotRow(persistenceId, reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2),
                reader.IsDBNull(3) ? "" : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt32(4));
        }

        public void Dispose()
        {
            _load.Dispose();
            _connection.Dispose();
        }
    }
}

/// <summary>The snapshot table exactly as Akka.Persistence.Sql 1.5.73 (linq2db, SQLite.MS, default table mapping) creates it.</summary>
internal static class SqliteSnapshotSchema
{
    public const string Create =
        "CREATE TABLE IF NOT EXISTS [snapshot]\n(\n" +
        "\t[persistence_id]  NVarChar(255) NOT NULL,\n" +
        "\t[sequence_number] INTEGER       NOT NULL,\n" +
        "\t[created]         INTEGER       NOT NULL,\n" +
        "\t[snapshot]        VarBinary         NULL,\n" +
        "\t[manifest]        NVarChar(500)     NULL,\n" +
        "\t[serializer_id]   INTEGER           NULL,\n" +
        "\n" +
        "\tCONSTRAINT [PK_snapshot] PRIMARY KEY ([persistence_id], [sequence_number])\n" +
        ");\n" +
        "CREATE INDEX IF NOT EXISTS snapshot_sequence_number_idx ON snapshot (sequence_number);\n" +
        "CREATE INDEX IF NOT EXISTS snapshot_created_idx ON snapshot (created);\n";
}
