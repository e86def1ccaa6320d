using System.Data.Common;
using System.Globalization;

namespace Bank.ReadModels.Projections;

/// <summary>
/// One connection (and, while a projection handles a batch, its transaction) with the few helpers that keep SQL
/// portable between SQLite and PostgreSQL. Money: <see cref="decimal"/> parameters go to SQLite as TEXT and to
/// PostgreSQL as NUMERIC, never as a binary float; read them back with <see cref="GetDecimal"/>.
/// </summary>
public sealed class ProjectionSession
{
    internal ProjectionSession(ProjectionDatabase database, DbConnection connection, DbTransaction? transaction)
    {
        Database = database;
        Connection = connection;
        Transaction = transaction;
    }

    public ProjectionDatabase Database { get; }

    public DbConnection Connection { get; }

    /// <summary>The transaction every command of this session runs in; null for a read-only session.</summary>
    public DbTransaction? Transaction { get; }

    public SqlDialect Dialect => Database.Dialect;

    /// <inheritdoc cref="ProjectionDatabase.Table"/>
    public string Table(string name) => Database.Table(name);

    /// <summary>A command in this session's transaction with <c>@name</c> parameters from <paramref name="parameters"/>.</summary>
    public DbCommand CreateCommand(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) AddParameter(command, name, value);
        return command;
    }

    /// <summary>
    /// Prepares <paramref name="sql"/> (one statement, positional parameters: see <see cref="Parameter"/>) for many
    /// executions in this session's transaction. Dispose it before the transaction ends.
    /// </summary>
    public ProjectionStatement Prepare(string sql)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        return Database.CreateStatement(this, sql);
    }

    /// <summary>The placeholder of positional parameter <paramref name="position"/> (1-based) in this dialect: <c>?N</c> on SQLite, <c>$N</c> on PostgreSQL.</summary>
    public string Parameter(int position) => Database.Parameter(position);

    /// <summary>Adds (or replaces the value of) the parameter <c>@name</c>.</summary>
    public void AddParameter(DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var converted = ToDatabase(value);
        if (command.Parameters.Contains(name))
        {
            command.Parameters[name].Value = converted;
            return;
        }
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = converted;
        command.Parameters.Add(parameter);
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = CreateCommand(sql, parameters);
        await using (command.ConfigureAwait(false))
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first column of the first row, or null when there is no row (or it is NULL).</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = CreateCommand(sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
    }

    /// <summary>Reads every row of the query with <paramref name="map"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(map);
        var command = CreateCommand(sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var rows = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(map(reader));
                return rows;
            }
        }
    }

    /// <summary>A money column: parsed from SQLite's TEXT (invariant culture), read as NUMERIC from PostgreSQL.</summary>
    public decimal GetDecimal(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadDecimal(Dialect, reader, ordinal);
    }

    internal static decimal ReadDecimal(SqlDialect dialect, DbDataReader reader, int ordinal) => dialect switch
    {
        SqlDialect.Sqlite => reader.GetValue(ordinal) switch
        {
            string text => decimal.Parse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture),
            long integer => integer, // a TEXT column never holds one, but a literal 0 in a query does
            var other => throw new InvalidCastException(
                $"Column {reader.GetName(ordinal)} holds a {other.GetType().Name}; money is stored as TEXT in SQLite, never as REAL."),
        },
        _ => reader.GetDecimal(ordinal),
    };

    private object ToDatabase(object? value) => value switch
    {
        null => DBNull.Value,
        decimal money when Dialect == SqlDialect.Sqlite => money.ToString(CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToUnixTimeMilliseconds(),
        _ => value,
    };
}
