using System.Data.Common;
using Actors.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Query.Projections;

/// <summary>
/// A projection database in a SQLite file, normally the journal's own file (WAL mode: the journal's writer and the
/// projections take turns at the write lock, readers never wait). Write transactions are BEGIN IMMEDIATE, so a
/// projection waits up to <c>busyTimeout</c> for the journal's writer instead of failing.
/// </summary>
public sealed class SqliteProjectionDatabase : ProjectionDatabase
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly bool _inMemory;
    private readonly SqliteWriteGate _writeGate;

    public SqliteProjectionDatabase(string connectionString, TimeSpan? busyTimeout = null)
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
        // cache_size: 32 MB (like the journal's writer; the default is 2 MB): a catch-up batch dirties a page of every
        // account it touches in the summary and history tables; with the default cache they were read again per batch.
        // wal_autocheckpoint: as the journal's writer (16384 pages); with the default (1000 pages) nearly every big
        // batch's commit ran a checkpoint of its own. temp_store: statement journals in memory, never in a temp file.
        // synchronous = NORMAL: the commit does not wait for an fsync (the journal's next durable commit, and every
        // checkpoint, make it durable; a WAL commit is still atomic). A power loss can only lose the projection's
        // latest batches together with their stored offset, and they are applied again from the journal: still
        // exactly once. (The snapshot store makes the same choice.)
        _pragmas = $"PRAGMA busy_timeout = {(long)timeout.TotalMilliseconds}; PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 16384; " +
            "PRAGMA temp_store = MEMORY; PRAGMA synchronous = NORMAL;";
        _writeGate = SqliteWriteGate.For(_connectionString);
    }

    /// <summary>The journal's database.</summary>
    public SqliteProjectionDatabase(SqliteJournalOptions journalOptions)
        : this((journalOptions ?? throw new ArgumentNullException(nameof(journalOptions))).ConnectionString, journalOptions.BusyTimeout)
    {
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
    protected internal override ProjectionStatement CreateStatement(ProjectionSession session, string sql) =>
        new SqliteStatement((SqliteConnection)session.Connection, sql);

    protected override async ValueTask<IDisposable?> EnterWriteTurnAsync(CancellationToken cancellationToken) =>
        await _writeGate.EnterAsync(cancellationToken).ConfigureAwait(false);

    protected override Task<DbTransaction> BeginTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // IMMEDIATE: takes the write lock now, waiting on busy_timeout. A deferred transaction that read first could
        // fail with SQLITE_BUSY_SNAPSHOT as soon as the journal commits in between.
        return Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
    }

    protected internal override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (_inMemory) return;
        // Persistent in the file; the journal sets it too. Without it a long read would block the writers.
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
