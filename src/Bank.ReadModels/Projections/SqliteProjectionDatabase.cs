using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Bank.ReadModels.Projections;

/// <summary>
/// A projection database in the journal's SQLite file (WAL mode: the journal's writer and the projection take turns at
/// the write lock, readers never wait). Write transactions are BEGIN IMMEDIATE, so a projection waits up to
/// <c>busyTimeout</c> for the journal's writer instead of failing.
/// </summary>
public sealed class SqliteProjectionDatabase : ProjectionDatabase
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly bool _inMemory;

    public SqliteProjectionDatabase(string connectionString, JournalTables? journal = null, TimeSpan? busyTimeout = null)
        : base(journal)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var timeout = busyTimeout ?? TimeSpan.FromSeconds(5);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)),
        };
        _inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        _connectionString = builder.ToString();
        // cache_size 32 MB: a catch-up batch dirties a page of every account it touches; with the default 2 MB they
        // were read again per batch. temp_store: statement journals in memory. synchronous = NORMAL: the commit does
        // not wait for an fsync (a WAL commit is still atomic); a power loss can only lose the latest batches together
        // with their stored offset, and they are applied again from the journal: still exactly once.
        _pragmas = $"PRAGMA busy_timeout = {(long)timeout.TotalMilliseconds}; PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY; " +
            "PRAGMA synchronous = NORMAL;";
    }

    public override SqlDialect Dialect => SqlDialect.Sqlite;

    public override string Table(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A native prepared statement, bound by index without allocating (see <see cref="ProjectionStatement"/>).</summary>
    internal override ProjectionStatement CreateStatement(ProjectionSession session, string sql) =>
        new SqliteStatement((SqliteConnection)session.Connection, sql);

    protected override Task<DbTransaction> BeginTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // IMMEDIATE: takes the write lock now, waiting on busy_timeout. A deferred transaction that read first could
        // fail with SQLITE_BUSY_SNAPSHOT as soon as the journal commits in between.
        return Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
    }

    internal override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (_inMemory) return;
        // Persistent in the file. Without it a long read would block the journal's writer (and the other way round).
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // SQLITE_ERROR with "no such table": the journal has not created its tables yet.
    internal override bool IsMissingTable(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 1 } e && e.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase);
}
