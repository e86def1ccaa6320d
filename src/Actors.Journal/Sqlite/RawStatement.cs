using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Actors.Journal.Sqlite;

/// <summary>
/// A statement prepared once on the writer's connection and bound by position. Microsoft.Data.Sqlite binds every
/// parameter by name (sqlite3_bind_parameter_index scans the statement's parameters, so binding a multi-row INSERT costs
/// the square of its size) and has no positional parameters; the write path therefore talks to SQLite directly.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public RawStatement(sqlite3 db, string sql)
    {
        _db = db;
        var rc = raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _stmt);
        if (rc != raw.SQLITE_OK) throw Error(db, rc, $"preparing: {sql[..Math.Min(sql.Length, 120)]}");
    }

    public void Bind(int index, string? value)
    {
        var rc = value is null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_text(_stmt, index, value);
        if (rc != raw.SQLITE_OK) throw Error(_db, rc, "binding");
    }

    public void Bind(int index, long value)
    {
        var rc = raw.sqlite3_bind_int64(_stmt, index, value);
        if (rc != raw.SQLITE_OK) throw Error(_db, rc, "binding");
    }

    public void Bind(int index, byte[] value)
    {
        // An empty span would bind NULL; the message column is NOT NULL.
        var rc = value.Length == 0 ? raw.sqlite3_bind_zeroblob(_stmt, index, 0) : raw.sqlite3_bind_blob(_stmt, index, value);
        if (rc != raw.SQLITE_OK) throw Error(_db, rc, "binding");
    }

    /// <summary>Steps once: true for a row, false when done. On an error the statement is reset and a SqliteException thrown.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc == raw.SQLITE_DONE) return false;
        var error = Error(_db, rc, "executing");
        raw.sqlite3_reset(_stmt);
        throw error;
    }

    /// <summary>Runs a statement without result rows.</summary>
    public void Execute()
    {
        while (Step()) { }
        Reset();
    }

    public long GetInt64(int column) => raw.sqlite3_column_int64(_stmt, column);

    public string GetString(int column) => raw.sqlite3_column_text(_stmt, column).utf8_to_string();

    public void Reset() => raw.sqlite3_reset(_stmt);

    public void Dispose() => _stmt.Dispose();

    private static SqliteException Error(sqlite3 db, int rc, string doing) =>
        new($"SQLite error {rc} ({raw.sqlite3_errstr(rc).utf8_to_string()}) {doing}: {raw.sqlite3_errmsg(db).utf8_to_string()}",
            rc, raw.sqlite3_extended_errcode(db));
}
