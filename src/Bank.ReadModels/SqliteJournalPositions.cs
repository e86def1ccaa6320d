using Actors.Shared;
using Bank.ReadModels.Projections;
using Microsoft.Data.Sqlite;

namespace Bank.ReadModels;

/// <summary>
/// SQLite: a small pool of open connections, each with both statements prepared once (Microsoft.Data.Sqlite keeps a
/// command's statement prepared while its text stays the same). Reads in autocommit: never blocks the journal's writer.
/// </summary>
internal sealed class SqliteJournalPositions : JournalPositions
{
    private readonly string _connectionString;
    private readonly string _highestSql;
    private readonly string _orderingSql;
    private readonly IdlePool<Lease> _leases;

    public SqliteJournalPositions(string connectionString, JournalTables tables)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connectionString = connectionString;
        var journal = tables.QualifiedJournal(SqlDialect.Sqlite);
        _highestSql = HighestSql(journal);
        _orderingSql = OrderingSql(journal, "$pid", "$seq");
        _leases = new IdlePool<Lease>(Math.Max(2, Environment.ProcessorCount * 2), () => Lease.Open(_connectionString, _highestSql, _orderingSql));
    }

    public override Task<long> HighestOffsetAsync(CancellationToken cancellationToken = default) =>
        WithLeaseAsync(lease =>
        {
            var value = lease.Highest.ExecuteScalar();
            return value is null or DBNull ? 0L : (long)value;
        }, missingTable: 0L, cancellationToken);

    public override Task<long?> OrderingOfAsync(string persistenceId, long sequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        return WithLeaseAsync(lease =>
        {
            lease.PersistenceId.Value = persistenceId;
            lease.SequenceNr.Value = sequenceNr;
            var value = lease.Ordering.ExecuteScalar();
            return value is null or DBNull ? (long?)null : (long)value;
        }, missingTable: null, cancellationToken);
    }

    public override Task<bool> JournalExistsAsync(CancellationToken cancellationToken = default) =>
        WithLeaseAsync(lease =>
        {
            lease.Highest.ExecuteScalar();
            return true;
        }, missingTable: false, cancellationToken);

    public override ValueTask DisposeAsync()
    {
        _leases.Dispose();
        return ValueTask.CompletedTask;
    }

    // SQLite's calls are synchronous anyway (Microsoft.Data.Sqlite's async methods run them inline): no Task.Run, the
    // statements are index probes.
    private Task<T> WithLeaseAsync<T>(Func<Lease, T> query, T missingTable, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult(_leases.Use(query));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1 && e.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase))
        {
            // Before the journal's first write (the pool has closed the connection, whose statements were never prepared).
            return Task.FromResult(missingTable);
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            return Task.FromException<T>(e);
        }
    }

    private sealed class Lease : IDisposable
    {
        private readonly SqliteConnection _connection;

        private Lease(SqliteConnection connection, string highestSql, string orderingSql)
        {
            _connection = connection;
            Highest = connection.CreateCommand();
            Highest.CommandText = highestSql;
            Ordering = connection.CreateCommand();
            Ordering.CommandText = orderingSql;
            PersistenceId = Ordering.Parameters.Add("$pid", SqliteType.Text);
            SequenceNr = Ordering.Parameters.Add("$seq", SqliteType.Integer);
        }

        public SqliteCommand Highest { get; }
        public SqliteCommand Ordering { get; }
        public SqliteParameter PersistenceId { get; }
        public SqliteParameter SequenceNr { get; }

        public static Lease Open(string connectionString, string highestSql, string orderingSql)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                connection.Open();
                return new Lease(connection, highestSql, orderingSql);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Highest.Dispose();
            Ordering.Dispose();
            _connection.Dispose();
        }
    }
}
