using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Bank.ReadModels.Projections;

/// <summary>
/// One statement prepared once in a session's transaction and executed many times (a handler's per-row insert or
/// update), its parameters bound by position: write them <c>?1, ?2 …</c> on SQLite and <c>$1, $2 …</c> on PostgreSQL
/// (<see cref="ProjectionSession.Parameter"/> gives the right one). Binding by position skips the per-execution look-up
/// of parameter names, and on SQLite nothing is allocated per execution (values are bound straight into the prepared
/// statement). Bind every position before each execution (a value stays bound until replaced). Money (<see cref="decimal"/>)
/// goes to SQLite as TEXT and to PostgreSQL as NUMERIC, as with <see cref="ProjectionSession.CreateCommand"/>.
/// Dispose it before the session's transaction ends.
/// </summary>
public abstract class ProjectionStatement : IAsyncDisposable
{
    public abstract void Bind(int position, long value);

    public abstract void Bind(int position, string value);

    public abstract void Bind(int position, decimal value);

    /// <summary>SQL NULL.</summary>
    public abstract void BindNull(int position);

    /// <summary>The text, or SQL NULL for null.</summary>
    public void BindOrNull(int position, string? value)
    {
        if (value is null) BindNull(position);
        else Bind(position, value);
    }

    /// <summary>Unix milliseconds, like every time of the journal and the projection tables.</summary>
    public void Bind(int position, DateTimeOffset value) => Bind(position, value.ToUnixTimeMilliseconds());

    /// <summary>Runs the statement with the values bound now; returns the rows it changed.</summary>
    public abstract ValueTask<int> ExecuteAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>Any ADO.NET provider: one command whose positional (unnamed) parameters are created once and reused.</summary>
internal sealed class CommandStatement : ProjectionStatement
{
    private readonly ProjectionSession _session;
    private readonly DbCommand _command;

    public CommandStatement(ProjectionSession session, string sql)
    {
        _session = session;
        _command = session.CreateCommand(sql);
    }

    public override void Bind(int position, long value) => Parameter(position).Value = value;

    public override void Bind(int position, string value) => Parameter(position).Value = value;

    public override void BindNull(int position) => Parameter(position).Value = DBNull.Value;

    public override void Bind(int position, decimal value) =>
        Parameter(position).Value = _session.Dialect == SqlDialect.Sqlite ? value.ToString(CultureInfo.InvariantCulture) : value;

    public override async ValueTask<int> ExecuteAsync(CancellationToken cancellationToken) =>
        await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

    public override ValueTask DisposeAsync() => _command.DisposeAsync();

    private DbParameter Parameter(int position)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(position, 1);
        var parameters = _command.Parameters;
        while (parameters.Count < position)
        {
            var parameter = _command.CreateParameter();
            // SQLite names them ?N; PostgreSQL (Npgsql) takes unnamed parameters as $1, $2 ... in order.
            if (_session.Dialect == SqlDialect.Sqlite) parameter.ParameterName = "?" + (parameters.Count + 1).ToString(CultureInfo.InvariantCulture);
            parameters.Add(parameter);
        }
        return parameters[position - 1];
    }
}

/// <summary>
/// SQLite: a native prepared statement on the session's connection (inside its transaction), bound by index with
/// SQLite's own calls: no parameter objects, no boxing, strings and decimals encoded into a stack buffer.
/// </summary>
internal sealed class SqliteStatement : ProjectionStatement
{
    private const int StackLimit = 512;

    private readonly sqlite3 _db;
    private sqlite3_stmt? _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var statement, out var tail);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            throw Error(rc);
        }
        if (!string.IsNullOrWhiteSpace(tail))
        {
            statement.Dispose();
            throw new ArgumentException("A projection statement is one SQL statement.", nameof(sql));
        }
        _statement = statement;
    }

    private sqlite3_stmt Statement => _statement ?? throw new ObjectDisposedException(nameof(SqliteStatement));

    public override void Bind(int position, long value) => Check(raw.sqlite3_bind_int64(Statement, position, value));

    public override void BindNull(int position) => Check(raw.sqlite3_bind_null(Statement, position));

    public override void Bind(int position, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            // An empty span would bind NULL.
            Check(raw.sqlite3_bind_text(Statement, position, ""));
            return;
        }
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= StackLimit)
        {
            Span<byte> buffer = stackalloc byte[StackLimit];
            var length = Encoding.UTF8.GetBytes(value, buffer);
            Check(raw.sqlite3_bind_text(Statement, position, buffer[..length]));
            return;
        }
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var length = Encoding.UTF8.GetBytes(value, rented);
            Check(raw.sqlite3_bind_text(Statement, position, rented.AsSpan(0, length)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override void Bind(int position, decimal value)
    {
        // The same text as decimal.ToString(InvariantCulture): the scale is kept ("10.50").
        Span<byte> buffer = stackalloc byte[64];
        if (!value.TryFormat(buffer, out var length, default, CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"Cannot format {value}.");
        Check(raw.sqlite3_bind_text(Statement, position, buffer[..length]));
    }

    public override ValueTask<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var statement = Statement;
        int rc;
        while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
        {
            // RETURNING rows are not read; step to the end so the statement completes.
        }
        if (rc != raw.SQLITE_DONE)
        {
            var error = Error(rc);
            raw.sqlite3_reset(statement);
            throw error;
        }
        var changes = raw.sqlite3_changes(_db);
        raw.sqlite3_reset(statement);
        return ValueTask.FromResult(changes);
    }

    public override ValueTask DisposeAsync()
    {
        var statement = Interlocked.Exchange(ref _statement, null);
        statement?.Dispose(); // sqlite3_finalize
        return ValueTask.CompletedTask;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) throw Error(rc);
    }

    private SqliteException Error(int rc) =>
        new(string.Create(CultureInfo.InvariantCulture, $"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'."), rc,
            raw.sqlite3_extended_errcode(_db));
}
