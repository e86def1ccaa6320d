using Akka.Persistence;
using Actors.Journal.Batching;
using Actors.Shared;
using Microsoft.Data.Sqlite;

namespace Actors.Journal.Sqlite;

/// <summary>
/// The journal on one SQLite file. One writer connection (the batch writer's, WAL, synchronous as configured, a large
/// page cache, rarer checkpoints) and pooled connections for replay, highest sequence number and deletes. Every writer of
/// the file in this process takes its turn at the write gate first.
/// </summary>
internal sealed class SqliteJournalStore : IJournalStore
{

    private readonly JournalSettings _settings;
    private readonly string _pooledConnectionString;
    private readonly string _writerConnectionString;
    private readonly AsyncInitializer _initializer;
    private readonly SqliteBatchWriter _writer;
    private readonly IdlePool<Reader> _readers;
    private readonly bool _checkpointInBackground;
    private SqliteCheckpointer? _checkpointer;
    private volatile bool _disposed;

    public SqliteJournalStore(JournalSettings settings)
    {
        _settings = settings;
        var builder = new SqliteConnectionStringBuilder(settings.ConnectionString)
        {
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(settings.SqliteBusyTimeout.TotalSeconds)),
        };
        CreateDirectoryOf(builder);
        _checkpointInBackground = settings.SqliteCheckpointInterval > TimeSpan.Zero && !IsInMemory(builder);
        _pooledConnectionString = builder.ToString();
        _writerConnectionString = new SqliteConnectionStringBuilder(_pooledConnectionString) { Pooling = false }.ToString();
        WriteGate = SqliteWriteGate.For(_pooledConnectionString);
        _initializer = new AsyncInitializer(InitializeAsync);
        _writer = new SqliteBatchWriter(this, settings.SqliteRowsPerStatement);
        _readers = new IdlePool<Reader>(settings.SqliteIdleReaders, () => new Reader(new SqliteConnection(_pooledConnectionString)));
    }

    public SqliteWriteGate WriteGate { get; }

    public IBatchWriter Writer => _writer;

    public Task EnsureInitializedAsync(CancellationToken cancellationToken) => _initializer.EnsureAsync(cancellationToken);

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken, initialize: false).ConfigureAwait(false);
        // Persistent in the file: readers never block the writer and the writer never blocks readers.
        Execute(connection, "PRAGMA journal_mode = WAL;");
        if (!_settings.AutoInitialize) return;
        using var turn = await WriteGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = SqliteSchema.Create;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The batch writer's own connection (not pooled), with the writer's PRAGMAs; the first one also starts the
    /// background checkpointer (sqlite.checkpoint-interval), which then does the checkpoints the writer's commits did.
    /// </summary>
    public SqliteConnection OpenWriter()
    {
        // With the checkpointer on, the writer's own automatic checkpoint is only the safety net for a checkpointer that
        // cannot keep up (another process reading for minutes): far beyond the size at which the checkpointer restarts the WAL.
        var autoCheckpoint = _checkpointInBackground ? 4 * _settings.SqliteWalAutoCheckpoint : _settings.SqliteWalAutoCheckpoint;
        var connection = new SqliteConnection(_writerConnectionString);
        try
        {
            connection.Open();
            Execute(connection,
                $"PRAGMA busy_timeout = {(long)_settings.SqliteBusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; " +
                $"PRAGMA synchronous = {_settings.SqliteSynchronous}; PRAGMA cache_size = -{_settings.SqliteCacheSizeKib}; " +
                $"PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = {autoCheckpoint}; " +
                "PRAGMA journal_size_limit = 67108864;");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        if (_checkpointInBackground && Volatile.Read(ref _checkpointer) is null && !_disposed)
        {
            var checkpointer = new SqliteCheckpointer(_pooledConnectionString, WriteGate, _settings.SqliteCheckpointInterval, _settings.SqliteWalAutoCheckpoint);
            if (Interlocked.CompareExchange(ref _checkpointer, checkpointer, null) is not null) _ = checkpointer.DisposeAsync().AsTask();
        }
        return connection;
    }

    /// <summary>Checkpoints of the background checkpointer that restarted the WAL (0 while it is off or not started).</summary>
    internal long CheckpointRestarts => Volatile.Read(ref _checkpointer)?.Restarts ?? 0;

    private static bool IsInMemory(SqliteConnectionStringBuilder builder) =>
        builder.Mode == SqliteOpenMode.Memory || string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:";

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken, bool initialize = true)
    {
        if (initialize) await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = new SqliteConnection(_pooledConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Pages by sequence number, each page streamed from the reader into the callback, on a kept-open connection whose
    /// statement stays prepared, on the thread pool: Microsoft.Data.Sqlite is synchronous, and recoveries (a cold start
    /// runs many at once) must not take turns on one thread.
    /// </summary>
    public async Task ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        JournalRowSerializer serializer, Action<IPersistentRepresentation> callback, CancellationToken cancellationToken)
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr) return;
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await Task.Run(() => _readers.Use(reader =>
        {
            var next = Math.Max(1, fromSequenceNr);
            var left = max;
            while (left > 0 && next <= toSequenceNr)
            {
                var page = Math.Min(_settings.ReplayBatchSize, left);
                var read = 0;
                using (var rows = reader.Replay(persistenceId, next, toSequenceNr, page))
                {
                    while (rows.Read())
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var repr = serializer.DeserializeReplayRow(persistenceId, rows);
                        callback(repr);
                        next = repr.SequenceNr + 1;
                        read++;
                    }
                }
                left -= read;
                if (read < page) break;
            }
            return true;
        }), cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => _readers.Use(reader => reader.Highest(persistenceId, fromSequenceNr)), cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var turn = await WriteGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            foreach (var sql in JournalSql.DeleteSteps("journal", "tags", "1", "$pid", "$to"))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.Add("$pid", SqliteType.Text).Value = persistenceId;
                command.Parameters.Add("$to", SqliteType.Integer).Value = toSequenceNr;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            Execute(connection, "COMMIT;");
        }
        catch
        {
            try { Execute(connection, "ROLLBACK;"); } catch (SqliteException) { /* nothing to roll back */ }
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _readers.Dispose();
        if (Interlocked.Exchange(ref _checkpointer, null) is { } checkpointer) await checkpointer.DisposeAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A connection with the replay and highest-sequence-number statements prepared (kept while their text stays).</summary>
    private sealed class Reader : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _replay;
        private readonly SqliteParameter _replayPid, _replayFrom, _replayTo, _replayLimit;
        private readonly SqliteCommand _highest;
        private readonly SqliteParameter _highestPid, _highestFrom;

        public Reader(SqliteConnection connection)
        {
            _connection = connection;
            try
            {
                connection.Open();
            }
            catch
            {
                connection.Dispose();
                throw;
            }
            _replay = connection.CreateCommand();
            _replay.CommandText =
                "SELECT sequence_number, message, manifest, identifier, writer_uuid, created FROM journal " +
                "WHERE persistence_id = $pid AND sequence_number >= $from AND sequence_number <= $to AND deleted = 0 " +
                "ORDER BY sequence_number LIMIT $limit";
            _replayPid = _replay.Parameters.Add("$pid", SqliteType.Text);
            _replayFrom = _replay.Parameters.Add("$from", SqliteType.Integer);
            _replayTo = _replay.Parameters.Add("$to", SqliteType.Integer);
            _replayLimit = _replay.Parameters.Add("$limit", SqliteType.Integer);
            _highest = connection.CreateCommand();
            _highest.CommandText = "SELECT max(sequence_number) FROM journal WHERE persistence_id = $pid AND sequence_number > $from";
            _highestPid = _highest.Parameters.Add("$pid", SqliteType.Text);
            _highestFrom = _highest.Parameters.Add("$from", SqliteType.Integer);
        }

        public SqliteDataReader Replay(string persistenceId, long from, long to, long limit)
        {
            _replayPid.Value = persistenceId;
            _replayFrom.Value = from;
            _replayTo.Value = to;
            _replayLimit.Value = limit;
            return _replay.ExecuteReader();
        }

        public long Highest(string persistenceId, long from)
        {
            _highestPid.Value = persistenceId;
            _highestFrom.Value = from;
            return _highest.ExecuteScalar() is long highest ? highest : 0;
        }

        public void Dispose()
        {
            _replay.Dispose();
            _highest.Dispose();
            _connection.Dispose();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void CreateDirectoryOf(SqliteConnectionStringBuilder builder)
    {
        var dataSource = builder.DataSource;
        if (IsInMemory(builder) || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            || dataSource.Contains("|DataDirectory|", StringComparison.OrdinalIgnoreCase))
            return;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }
}
