using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Actors.Persistence.Sql.Sqlite;

/// <summary>
/// A few long-lived read connections, each keeping its prepared statements, leased for one query at a time.
/// Recovering an actor runs three small queries (snapshot, events, highest sequence number); through pooled
/// connections each one paid an open, the connection's PRAGMAs and a fresh parse and plan of its SQL, which cost more
/// than the query. A connection between queries holds no read transaction (its reader is disposed), so it never
/// keeps the WAL from being checkpointed. A connection whose query failed is closed, not reused.
/// </summary>
internal sealed class SqliteReaders : IDisposable
{
    private readonly Func<SqliteConnection> _open;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<Reader> _idle = [];
    private volatile bool _disposed;

    public SqliteReaders(Func<SqliteConnection> open, int maxConnections)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        _open = open;
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
    }

    /// <summary>Waits for a free read connection (opening one if none is idle).</summary>
    public async ValueTask<Lease> LeaseAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new Lease(this, _idle.TryTake(out var reader) ? reader : new Reader(_open()));
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private void Return(Reader reader, bool broken)
    {
        if (broken || _disposed) reader.Dispose();
        else _idle.Add(reader);
        _slots.Release();
        // Disposed while this one was out: close what came back.
        if (_disposed) DisposeIdle();
    }

    public void Dispose()
    {
        _disposed = true;
        DisposeIdle();
    }

    private void DisposeIdle()
    {
        while (_idle.TryTake(out var reader)) reader.Dispose();
    }

    /// <summary>One read connection for one query; dispose to give it back.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly SqliteReaders _owner;
        private Reader? _reader;
        private bool _broken;

        internal Lease(SqliteReaders owner, Reader reader)
        {
            _owner = owner;
            _reader = reader;
        }

        /// <summary>The connection's prepared command for <paramref name="sql"/>, with these parameters (values to be set).</summary>
        public SqliteCommand Command(string sql, params (string Name, SqliteType Type)[] parameters)
        {
            var reader = _reader ?? throw new ObjectDisposedException(nameof(Lease));
            if (reader.Commands.TryGetValue(sql, out var command)) return command;
            command = reader.Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters) command.Parameters.Add(name, type);
            reader.Commands.Add(sql, command);
            return command;
        }

        /// <summary>
        /// The connection's prepared native statement for <paramref name="sql"/> (parameters bound by position), for
        /// hot paths that read column values in place (<c>sqlite3_column_blob</c> as a span: no copies, no strings).
        /// The caller resets it before giving the lease back.
        /// </summary>
        public sqlite3_stmt NativeStatement(string sql)
        {
            var reader = _reader ?? throw new ObjectDisposedException(nameof(Lease));
            if (reader.NativeStatements.TryGetValue(sql, out var statement)) return statement;
            var handle = reader.Connection.Handle!;
            var rc = raw.sqlite3_prepare_v2(handle, sql, out statement);
            if (rc != raw.SQLITE_OK)
            {
                statement?.Dispose();
                SqliteException.ThrowExceptionForRC(rc, handle);
            }
            reader.NativeStatements.Add(sql, statement!);
            return statement!;
        }

        /// <summary>The connection's native handle (for error messages of native statements).</summary>
        public sqlite3 NativeConnection => (_reader ?? throw new ObjectDisposedException(nameof(Lease))).Connection.Handle!;

        /// <summary>The query failed: the connection is closed instead of going back.</summary>
        public void Fail() => _broken = true;

        public void Dispose()
        {
            var reader = Interlocked.Exchange(ref _reader, null);
            if (reader is not null) _owner.Return(reader, _broken);
        }
    }

    internal sealed class Reader(SqliteConnection connection) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;
        public Dictionary<string, SqliteCommand> Commands { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, sqlite3_stmt> NativeStatements { get; } = new(StringComparer.Ordinal);

        public void Dispose()
        {
            foreach (var statement in NativeStatements.Values) statement.Dispose();   // finalizes it
            foreach (var command in Commands.Values) command.Dispose();
            Connection.Dispose();
        }
    }
}
