using System.Data.Common;
using System.Globalization;

namespace Bank.ReadModels.Projections;

/// <summary>The SQL dialects a projection database speaks. Both accept <c>@name</c> parameters and <c>INSERT ... ON CONFLICT</c>.</summary>
public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where a projection keeps its read model, its offset (table <c>projection_offset</c>) and the journal orderings it still
/// waits for (table <c>projection_gap</c>): one database, so that all of them change in one transaction. It must reach the
/// journal's tables (<see cref="Journal"/>), which the projection reads to find events the read journal skipped: the
/// journal's own PostgreSQL database; on SQLite the journal's file, or a file of its own with the journal's attached.
/// </summary>
public abstract class ProjectionDatabase : IAsyncDisposable
{
    public const string OffsetTable = "projection_offset";
    public const string GapTable = "projection_gap";

    private protected ProjectionDatabase(JournalTables? journal) => Journal = journal ?? JournalTables.Default;

    /// <summary>
    /// A projection database on SQLite (see <see cref="SqliteProjectionDatabase"/>): in the file of
    /// <paramref name="connectionString"/>, with the journal's file attached when <paramref name="journalConnectionString"/>
    /// names another one (the read model then has a write lock of its own); without it, in the journal's file.
    /// </summary>
    public static SqliteProjectionDatabase Sqlite(string connectionString, JournalTables? journal = null, TimeSpan? busyTimeout = null,
        string? journalConnectionString = null, int walAutoCheckpoint = SqliteProjectionDatabase.DefaultWalAutoCheckpoint) =>
        new(connectionString, journal, busyTimeout, journalConnectionString, walAutoCheckpoint);

    /// <summary>
    /// A projection database in the journal's PostgreSQL database, its tables in <paramref name="schema"/> (created when
    /// missing; see <see cref="PostgresProjectionDatabase"/>).
    /// </summary>
    public static PostgresProjectionDatabase Postgres(string connectionString, string schema = "public", JournalTables? journal = null) =>
        new(connectionString, schema, journal);

    public abstract SqlDialect Dialect { get; }

    /// <summary>The journal's tables in this database.</summary>
    public JournalTables Journal { get; }

    /// <summary>The name to use for a table in SQL: quoted on SQLite, schema-qualified and quoted on PostgreSQL.</summary>
    public abstract string Table(string name);

    /// <summary>The placeholder of positional parameter <paramref name="position"/> (1-based): <c>?N</c> on SQLite, <c>$N</c> on PostgreSQL.</summary>
    public string Parameter(int position)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(position, 1);
        return (Dialect == SqlDialect.Sqlite ? "?" : "$") + position.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A statement prepared on the session's connection, in its transaction (see <see cref="ProjectionSession.Prepare"/>).</summary>
    internal virtual ProjectionStatement CreateStatement(ProjectionSession session, string sql) => new CommandStatement(session, sql);

    /// <summary>An open connection, ready for statements.</summary>
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction and commits it; an exception (or cancellation) rolls everything back.</summary>
    public async Task<T> InTransactionAsync<T>(Func<ProjectionSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await BeginTransactionAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var result = await work(new ProjectionSession(this, connection, transaction), cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
    }

    /// <inheritdoc cref="InTransactionAsync{T}"/>
    public Task InTransactionAsync(Func<ProjectionSession, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return InTransactionAsync<bool>(async (session, ct) =>
        {
            await work(session, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>Runs queries on a connection of its own, outside any explicit transaction (each statement sees committed data).</summary>
    public async Task<T> ReadAsync<T>(Func<ProjectionSession, CancellationToken, Task<T>> query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
            return await query(new ProjectionSession(this, connection, transaction: null), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a write transaction. SQLite takes the write lock at once (BEGIN IMMEDIATE), so a busy database is waited for, not failed.</summary>
    protected virtual async Task<DbTransaction> BeginTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Once per projection start, before the schema transaction: e.g. WAL mode on SQLite, the schema on PostgreSQL.</summary>
    internal virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Called first in the transaction that creates tables: serializes concurrent schema creation (PostgreSQL's
    /// CREATE TABLE IF NOT EXISTS races with itself). SQLite needs nothing: its write transaction is exclusive.
    /// </summary>
    internal virtual Task LockSchemaAsync(ProjectionSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True when <paramref name="exception"/> says that a table does not exist (the journal before its first write).</summary>
    internal abstract bool IsMissingTable(Exception exception);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
