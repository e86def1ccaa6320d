using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Sql.Sqlite;

/// <summary>Opens connections to one SQLite database with the journal's settings, and creates its schema.</summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _pooledConnectionString;
    private readonly string _writerConnectionString;
    private readonly string _connectionPragmas;
    private readonly bool _autoInitialize;

    /// <param name="synchronous">Overrides the options' synchronous mode on this instance's connections (the snapshot store's).</param>
    public SqliteDatabase(SqliteJournalOptions options, SqliteSynchronous? synchronous = null)
    {
        options.Validate();
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString)
        {
            // Microsoft.Data.Sqlite retries SQLITE_BUSY for DefaultTimeout seconds on top of SQLite's own busy handler.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        CreateDirectoryOf(builder);
        _pooledConnectionString = builder.ToString();
        WriteGate = SqliteWriteGate.For(_pooledConnectionString);
        // The writer (and each reader) keeps its connection for the journal's life; no need to pool it.
        _writerConnectionString = new SqliteConnectionStringBuilder(_pooledConnectionString) { Pooling = false }.ToString();
        var mode = (synchronous ?? options.Synchronous).ToString().ToUpperInvariant();
        _connectionPragmas = $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {mode};";
        _autoInitialize = options.AutoInitialize;
        Initializer = new AsyncInitializer(ct => InitializeAsync(_autoInitialize, ct));
        Readers = new SqliteReaders(OpenReader, Math.Max(4, Environment.ProcessorCount * 2));
    }

    /// <summary>The long-lived read connections (replay, highest sequence number, snapshot loads).</summary>
    private SqliteReaders Readers { get; }

    /// <summary>A read connection with its prepared statements, for one query (after first-use initialization).</summary>
    public async ValueTask<SqliteReaders.Lease> ReadAsync(CancellationToken cancellationToken)
    {
        await Initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await Readers.LeaseAsync(cancellationToken).ConfigureAwait(false);
    }

    private SqliteConnection OpenReader()
    {
        // Not pooled: it stays open, with its prepared statements, until the journal or store is disposed.
        var connection = new SqliteConnection(_writerConnectionString);
        try
        {
            connection.Open();
            Execute(connection, _connectionPragmas);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose() => Readers.Dispose();

    // The write loop's connection only. A bigger page cache keeps the hot index pages (journal fence, tag key) in
    // memory; temp_store=MEMORY keeps the statement journals of multi-row inserts off the disk and out of malloc churn.
    // Checkpoint after ~64 MB of WAL instead of 4 MB: every batch rewrites the same hot pages (the fence index leaves
    // of the actors in it), and a checkpoint copies each page once however often it was written since the last one,
    // so rarer checkpoints copy (and fsync) far less. journal_size_limit truncates the WAL back after a checkpoint.
    private const string WriterPragmas =
        " PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384; PRAGMA journal_size_limit = 67108864;";

    // Only takes effect on a new, empty file: bigger pages hold more index entries, so a batch dirties fewer pages.
    private const string NewFilePragmas = "PRAGMA page_size = 8192; ";

    /// <summary>This process's turn-taking for the file's write lock (journal batches, snapshots, deletes, projections).</summary>
    public SqliteWriteGate WriteGate { get; }

    /// <summary>Lazy first-use initialization: WAL mode, plus the schema when AutoInitialize is on.</summary>
    public AsyncInitializer Initializer { get; }

    /// <summary>Explicit initialization: always creates the schema.</summary>
    public Task InitializeSchemaAsync(CancellationToken cancellationToken) =>
        _autoInitialize ? Initializer.RunAsync(cancellationToken) : InitializeAsync(createSchema: true, cancellationToken);

    /// <summary>A pooled connection for reads and small writes (delete, snapshots).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await Initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await OpenRawAsync(_pooledConnectionString, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The write loop's own connection, in WAL mode.</summary>
    public SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(_writerConnectionString);
        try
        {
            connection.Open();
            Execute(connection, _connectionPragmas + " PRAGMA journal_mode = WAL;" + WriterPragmas);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task InitializeAsync(bool createSchema, CancellationToken cancellationToken)
    {
        await using var connection = await OpenRawAsync(_pooledConnectionString, cancellationToken).ConfigureAwait(false);
        // Persistent in the file: readers never block the writer and the writer never blocks readers.
        Execute(connection, NewFilePragmas + "PRAGMA journal_mode = WAL;");
        if (!createSchema) return;
        // A transaction object (not BEGIN in the script): a failure rolls back instead of leaving the pooled connection mid-transaction.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = SqlScripts.Sqlite;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenRawAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            ApplyPragmas(connection);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // The PRAGMAs each physical connection last got, by its native handle (which the pool keeps across opens):
    // a pooled connection opened again by the same kind of user needs no statement before its query. Another user
    // (the snapshot store's synchronous mode differs) applies its own. Entries go with their handles.
    private static readonly ConditionalWeakTable<object, string> Applied = new();

    private void ApplyPragmas(SqliteConnection connection)
    {
        var handle = connection.Handle;
        if (handle is not null && Applied.TryGetValue(handle, out var applied) && ReferenceEquals(applied, _connectionPragmas)) return;
        Execute(connection, _connectionPragmas);
        if (handle is not null) Applied.AddOrUpdate(handle, _connectionPragmas);
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
        if (builder.Mode == SqliteOpenMode.Memory
            || string.IsNullOrWhiteSpace(dataSource)
            || dataSource == ":memory:"
            || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            || dataSource.Contains("|DataDirectory|", StringComparison.OrdinalIgnoreCase))
            return;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }
}
