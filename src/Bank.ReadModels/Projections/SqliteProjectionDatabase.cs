using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Bank.ReadModels.Projections;

/// <summary>
/// A projection database on SQLite (WAL mode: readers never wait). Two layouts:
/// <list type="bullet">
/// <item>In a file of its own (<c>journalConnectionString</c> names another file): the journal's file is attached to every
/// connection (read only by the projection's journal checks), and a read-model transaction takes the write lock of the
/// read model's file alone. The journal's writer and the projection then never queue behind each other: SQLite has one
/// write lock per file and no queue for it (a waiting writer sleeps in its busy handler, 1, 2, 5 … 100 ms, while the
/// journal's writer takes the lock again right after each commit), which made the projection lag by up to a second at
/// 10,000 deposits/s.</item>
/// <item>In the journal's own file (no <c>journalConnectionString</c>, or the same file): the journal's writer and the
/// projection take turns at the file's one write lock.</item>
/// </list>
/// Write transactions take the read model's write lock at once, so a projection waits up to <c>busyTimeout</c> for
/// another writer of its file instead of failing.
/// </summary>
public sealed class SqliteProjectionDatabase : ProjectionDatabase
{
    /// <summary>The name under which the journal's file is attached to a read model in a file of its own.</summary>
    public const string JournalAttachment = "bank_journal";

    /// <summary>
    /// The WAL pages at which a commit checkpoints the read model's file, unless the host checkpoints it in the background
    /// and sets this far higher. 10,000 (40 MB of WAL) instead of SQLite's 1,000: a live batch rewrites a page of every
    /// account it touches (~250 pages under the HTTP load) and a checkpoint copies a page once however often the WAL holds
    /// it, so rarer checkpoints copy far fewer pages (the projection's commits took 30 % less CPU).
    /// </summary>
    public const int DefaultWalAutoCheckpoint = 10_000;

    /// <summary>An empty table of the read model's file: a write to it takes that file's write lock (and no other).</summary>
    private const string WriteLockTable = "projection_write_lock";

    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly bool _inMemory;
    private readonly string? _journalFile;
    private volatile bool _writeLockTableReady;

    public SqliteProjectionDatabase(string connectionString, JournalTables? journal = null, TimeSpan? busyTimeout = null, string? journalConnectionString = null,
        int walAutoCheckpoint = DefaultWalAutoCheckpoint)
        : base(Attached(connectionString, journal, journalConnectionString))
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentOutOfRangeException.ThrowIfNegative(walAutoCheckpoint);
        var timeout = busyTimeout ?? TimeSpan.FromSeconds(5);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)),
        };
        _inMemory = IsInMemory(builder);
        _connectionString = builder.ToString();
        _journalFile = SeparateJournalFile(connectionString, journalConnectionString);
        // cache_size 32 MB: a catch-up batch dirties a page of every account it touches; with the default 2 MB they
        // were read again per batch. temp_store: statement journals in memory. synchronous = NORMAL: the commit does
        // not wait for an fsync (a WAL commit is still atomic); a power loss can only lose the latest batches together
        // with their stored offset, and they are applied again from the journal: still exactly once. wal_autocheckpoint:
        // see DefaultWalAutoCheckpoint.
        _pragmas = $"PRAGMA busy_timeout = {(long)timeout.TotalMilliseconds}; PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY; " +
            $"PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = {walAutoCheckpoint};";
    }

    public override SqlDialect Dialect => SqlDialect.Sqlite;

    /// <summary>True when the read model has a file of its own and the journal's file is attached to it.</summary>
    public bool HasOwnFile => _journalFile is not null;

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
            // A pooled connection keeps its PRAGMAs and attachments: with a file of its own, the attachment tells a
            // connection set up before (one query per open) from a new one (PRAGMAs, ATTACH).
            if (_journalFile is not null && await IsSetUpAsync(command, cancellationToken).ConfigureAwait(false)) return connection;
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (_journalFile is not null) await AttachJournalAsync(command, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Attaches the journal's file (a pooled connection keeps it attached) and, once per instance, creates the empty
    /// table that write transactions lock the read model's file with.
    /// </summary>
    private async Task<bool> IsSetUpAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        command.CommandText = $"SELECT count(*) FROM pragma_database_list WHERE name = '{JournalAttachment}'";
        var attached = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
        return attached && _writeLockTableReady;
    }

    private async Task AttachJournalAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        command.CommandText = $"SELECT count(*) FROM pragma_database_list WHERE name = '{JournalAttachment}'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            command.CommandText = $"ATTACH DATABASE $file AS {JournalAttachment}";
            command.Parameters.AddWithValue("$file", _journalFile);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            command.Parameters.Clear();
        }
        if (_writeLockTableReady) return;
        command.CommandText = $"CREATE TABLE IF NOT EXISTS main.{WriteLockTable} (id INTEGER PRIMARY KEY)";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _writeLockTableReady = true;
    }

    /// <summary>A native prepared statement, bound by index without allocating (see <see cref="ProjectionStatement"/>).</summary>
    internal override ProjectionStatement CreateStatement(ProjectionSession session, string sql) =>
        new SqliteStatement((SqliteConnection)session.Connection, sql);

    protected override Task<DbTransaction> BeginTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sqlite = (SqliteConnection)connection;
        // The write lock at once, waiting on busy_timeout: a deferred transaction that read first could fail with
        // SQLITE_BUSY_SNAPSHOT as soon as another writer commits in between.
        if (_journalFile is null) return Task.FromResult<DbTransaction>(sqlite.BeginTransaction(deferred: false));
        // BEGIN IMMEDIATE would take the write lock of every attached file, the journal's too. A write to the read
        // model's file as the transaction's first statement takes that file's lock alone; the journal's tables are then
        // only read, from a snapshot taken at their first read.
        var transaction = sqlite.BeginTransaction(deferred: true);
        try
        {
            using var command = sqlite.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"DELETE FROM main.{WriteLockTable} WHERE 0";
            command.ExecuteNonQuery();
            return Task.FromResult<DbTransaction>(transaction);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    internal override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (_inMemory) return;
        // Persistent in the file. Without it a long read would block the journal's writer (and the other way round).
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA main.journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // SQLITE_ERROR with "no such table": the journal has not created its tables yet.
    internal override bool IsMissingTable(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 1 } e && e.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase);

    private static JournalTables? Attached(string connectionString, JournalTables? journal, string? journalConnectionString) =>
        SeparateJournalFile(connectionString, journalConnectionString) is null
            ? journal
            : (journal ?? JournalTables.Default) with { SqliteAttachment = JournalAttachment };

    /// <summary>True when <paramref name="connectionString"/> names another file than the journal's: the layout <see cref="HasOwnFile"/>.</summary>
    public static bool IsFileOfItsOwn(string connectionString, string? journalConnectionString) =>
        SeparateJournalFile(connectionString, journalConnectionString) is not null;

    /// <summary>The journal's file when it is another file than the read model's; null when both are one database.</summary>
    private static string? SeparateJournalFile(string connectionString, string? journalConnectionString)
    {
        if (string.IsNullOrWhiteSpace(journalConnectionString)) return null;
        var readModel = new SqliteConnectionStringBuilder(connectionString);
        var journal = new SqliteConnectionStringBuilder(journalConnectionString);
        if (IsInMemory(journal) || IsInMemory(readModel))
        {
            if (string.Equals(readModel.DataSource, journal.DataSource, StringComparison.Ordinal)) return null;
            throw new ArgumentException("An in-memory SQLite journal cannot be attached to a read model in another database: keep the read model in the journal's database.",
                nameof(journalConnectionString));
        }
        var journalFile = Path.GetFullPath(journal.DataSource);
        return string.Equals(Path.GetFullPath(readModel.DataSource), journalFile, StringComparison.Ordinal) ? null : journalFile;
    }

    private static bool IsInMemory(SqliteConnectionStringBuilder builder) =>
        builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
}
