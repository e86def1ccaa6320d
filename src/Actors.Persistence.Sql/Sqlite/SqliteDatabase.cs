using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Sql.Sqlite;

/// <summary>Opens connections to one SQLite database with the journal's settings, and creates its schema.</summary>
internal sealed class SqliteDatabase
{
    private readonly string _pooledConnectionString;
    private readonly string _writerConnectionString;
    private readonly string _connectionPragmas;
    private readonly bool _autoInitialize;

    public SqliteDatabase(SqliteJournalOptions options)
    {
        options.Validate();
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString)
        {
            // Microsoft.Data.Sqlite retries SQLITE_BUSY for DefaultTimeout seconds on top of SQLite's own busy handler.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        CreateDirectoryOf(builder);
        _pooledConnectionString = builder.ToString();
        // The writer keeps its one connection for the journal's life; no need to pool it.
        _writerConnectionString = new SqliteConnectionStringBuilder(_pooledConnectionString) { Pooling = false }.ToString();
        var synchronous = options.Synchronous.ToString().ToUpperInvariant();
        _connectionPragmas = $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {synchronous};";
        _autoInitialize = options.AutoInitialize;
        Initializer = new AsyncInitializer(ct => InitializeAsync(_autoInitialize, ct));
    }

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
            Execute(connection, _connectionPragmas + " PRAGMA journal_mode = WAL;");
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
        Execute(connection, "PRAGMA journal_mode = WAL;");
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
            Execute(connection, _connectionPragmas);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
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
