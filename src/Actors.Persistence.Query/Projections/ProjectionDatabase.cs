using System.Data.Common;

namespace Actors.Persistence.Query.Projections;

/// <summary>The SQL dialects a projection database speaks. Both accept <c>@name</c> parameters and <c>INSERT ... ON CONFLICT</c>.</summary>
public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where a projection keeps its read model and its offset (table <c>projection_offset</c>): one database, so that both
/// change in one transaction. <see cref="SqliteProjectionDatabase"/> and <see cref="PostgresProjectionDatabase"/> point
/// it at the same database as the journal.
/// </summary>
public abstract class ProjectionDatabase : IAsyncDisposable
{
    public const string OffsetTable = "projection_offset";

    public abstract SqlDialect Dialect { get; }

    /// <summary>The name to use for a table in SQL: as is on SQLite, schema-qualified and quoted on PostgreSQL.</summary>
    public abstract string Table(string name);

    /// <summary>The placeholder of positional parameter <paramref name="position"/> (1-based): <c>?N</c> on SQLite, <c>$N</c> on PostgreSQL.</summary>
    public string Parameter(int position)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(position, 1);
        return (Dialect == SqlDialect.Sqlite ? "?" : "$") + position.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A statement prepared on the session's connection, in its transaction (see <see cref="ProjectionSession.Prepare"/>).</summary>
    protected internal virtual ProjectionStatement CreateStatement(ProjectionSession session, string sql) => new CommandStatement(session, sql);

    /// <summary>An open connection, ready for statements.</summary>
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it; an exception (or cancellation) rolls everything back.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<ProjectionSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var turn = await EnterWriteTurnAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Waits for this process's turn to write, before the transaction begins; disposed after it ends. SQLite: the
    /// journal file's write gate, so a projection is not starved by the journal's back-to-back batches. Default: none.
    /// </summary>
    protected virtual ValueTask<IDisposable?> EnterWriteTurnAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>Starts a write transaction. SQLite takes the write lock at once (BEGIN IMMEDIATE), so a busy database is waited for, not failed.</summary>
    protected virtual async Task<DbTransaction> BeginTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Once per projection start, before the schema transaction: e.g. WAL mode on SQLite, the schema on PostgreSQL.
    /// </summary>
    protected internal virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Called first in the transaction that creates tables: serializes concurrent schema creation (PostgreSQL's
    /// CREATE TABLE IF NOT EXISTS races with itself). SQLite needs nothing: its write transaction is exclusive.
    /// </summary>
    protected internal virtual Task LockSchemaAsync(ProjectionSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
