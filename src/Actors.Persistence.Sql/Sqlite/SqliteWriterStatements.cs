using System.Globalization;
using System.Text;
using Actors.Persistence.Sql.Batching;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Sql.Sqlite;

/// <summary>The write loop's connection and its prepared statements, kept for the journal's life (or until an error).</summary>
internal sealed class SqliteWriterStatements : IDisposable
{
    /// <summary>
    /// Rows per multi-row INSERT. Measured: 4-16 rows cost about the same per row, 32 more: binding looks each
    /// parameter up by name in a list as long as the statement's parameters (quadratic in the row count).
    /// </summary>
    public const int MaxRowsPerInsert = 8;

    /// <summary>Parameters per journal row.</summary>
    public const int Columns = 7;

    private const string InsertColumns = "INSERT INTO journal (persistence_id, sequence_nr, writer_id, manifest, payload, timestamp, tags) VALUES ";

    private static readonly SqliteType[] ColumnTypes =
        [SqliteType.Text, SqliteType.Integer, SqliteType.Text, SqliteType.Text, SqliteType.Blob, SqliteType.Integer, SqliteType.Text];

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand?[] _insertRows = new SqliteCommand?[MaxRowsPerInsert + 1];
    private readonly List<SqliteCommand> _all = [];

    public SqliteWriterStatements(SqliteConnection connection)
    {
        _connection = connection;
        Begin = Create("BEGIN IMMEDIATE;");
        Commit = Create("COMMIT;");
        Rollback = Create("ROLLBACK;");
        Savepoint = Create("SAVEPOINT atomic_write;");
        Release = Create("RELEASE atomic_write;");
        RollbackToSavepoint = Create("ROLLBACK TO atomic_write; RELEASE atomic_write;");
        InsertEvent = Create(InsertColumns + Row(0) + " RETURNING ordering;", Columns);
        // The tag rows of every event this transaction stored: its rows are exactly those from its first ordering on.
        InsertTags = Create(
            """
            INSERT INTO event_tag (tag, ordering, persistence_id, sequence_nr)
            SELECT t.value, j.ordering, j.persistence_id, j.sequence_nr
            FROM journal j, json_each(j.tags) t
            WHERE j.ordering >= $p0 AND j.tags IS NOT NULL;
            """);
        InsertTags.Parameters.Add("$p0", SqliteType.Integer);
    }

    public SqliteCommand Begin { get; }
    public SqliteCommand Commit { get; }
    public SqliteCommand Rollback { get; }
    public SqliteCommand Savepoint { get; }
    public SqliteCommand Release { get; }
    public SqliteCommand RollbackToSavepoint { get; }
    private SqliteCommand InsertEvent { get; }
    private SqliteCommand InsertTags { get; }

    /// <summary>
    /// <c>INSERT … VALUES (…) × rows ON CONFLICT (persistence_id, sequence_nr) DO NOTHING RETURNING ordering,
    /// persistence_id</c>, made on first use for each row count.
    /// </summary>
    public SqliteCommand InsertRows(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, MaxRowsPerInsert);
        if (_insertRows[rows] is { } existing) return existing;
        var sql = new StringBuilder(InsertColumns);
        for (var r = 0; r < rows; r++) sql.Append(r == 0 ? "" : ", ").Append(Row(r));
        sql.Append(" ON CONFLICT (persistence_id, sequence_nr) DO NOTHING RETURNING ordering, persistence_id;");
        return _insertRows[rows] = Create(sql.ToString(), rows * Columns);
    }

    /// <summary>Inserts one event (throws on a taken sequence number); returns its ordering.</summary>
    public long InsertOne(SerializedEvent e)
    {
        Bind(InsertEvent.Parameters, 0, e);
        return (long)InsertEvent.ExecuteScalar()!;
    }

    public void InsertTagsFrom(long firstOrdering)
    {
        InsertTags.Parameters[0].Value = firstOrdering;
        InsertTags.ExecuteNonQuery();
    }

    /// <summary>Sets the <see cref="Columns"/> parameters of one row, from <paramref name="offset"/> on.</summary>
    public static void Bind(SqliteParameterCollection parameters, int offset, SerializedEvent e)
    {
        parameters[offset].Value = e.PersistenceId;
        parameters[offset + 1].Value = e.SequenceNr;
        parameters[offset + 2].Value = e.WriterId;
        parameters[offset + 3].Value = e.Manifest;
        parameters[offset + 4].Value = e.Payload;
        parameters[offset + 5].Value = e.Timestamp;
        parameters[offset + 6].Value = (object?)e.TagsJson ?? DBNull.Value;
    }

    private static string Row(int row)
    {
        var p = row * Columns;
        return string.Create(CultureInfo.InvariantCulture, $"($p{p}, $p{p + 1}, $p{p + 2}, $p{p + 3}, $p{p + 4}, $p{p + 5}, $p{p + 6})");
    }

    private SqliteCommand Create(string sql, int rowParameters = 0)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < rowParameters; i++)
            command.Parameters.Add("$p" + i.ToString(CultureInfo.InvariantCulture), ColumnTypes[i % Columns]);
        _all.Add(command);
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _all) command.Dispose();
        _connection.Dispose();
    }
}
