using Actors.Benchmarks.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Actors.Benchmarks.Nodes;

/// <summary>
/// A fresh, empty store for one run: nothing for the in-memory journal, a new SQLite file in its own temp directory
/// (out of any watched directory), or a new database on the benchmark's PostgreSQL server. Removed on dispose.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly Func<ValueTask> _drop;

    private BenchDatabase(Store store, Func<ValueTask> drop)
    {
        Store = store;
        _drop = drop;
    }

    public Store Store { get; }

    public static Task<BenchDatabase> CreateAsync(StoreKind kind, PostgresInstance? postgres, CancellationToken cancellationToken) => kind switch
    {
        StoreKind.InMemory => Task.FromResult(new BenchDatabase(Store.InMemory, () => ValueTask.CompletedTask)),
        StoreKind.Sqlite => Task.FromResult(Sqlite()),
        _ => PostgresAsync(postgres ?? throw new ArgumentNullException(nameof(postgres)), cancellationToken),
    };

    public static BenchDatabase Sqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"actors-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "bank.db") }.ConnectionString;
        return new BenchDatabase(new Store(StoreKind.Sqlite, connectionString), () =>
        {
            SqliteConnection.ClearAllPools();
            TryDelete(directory);
            return ValueTask.CompletedTask;
        });
    }

    private static async Task<BenchDatabase> PostgresAsync(PostgresInstance postgres, CancellationToken cancellationToken)
    {
        var (connectionString, drop) = await postgres.CreateDatabaseAsync(cancellationToken);
        return new BenchDatabase(new Store(StoreKind.Postgres, connectionString), drop);
    }

    /// <summary>Transactions committed in this PostgreSQL database so far (pg_stat_database); null for other stores.</summary>
    public async Task<long?> CommittedTransactionsAsync(CancellationToken cancellationToken)
    {
        if (Store.Kind != StoreKind.Postgres) return null;
        await using var connection = new NpgsqlConnection(Store.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        // The statistics collector publishes at most every 500 ms (stats_fetch_consistency): clear the snapshot first.
        await using var command = new NpgsqlCommand(
            "SELECT pg_stat_clear_snapshot(); SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? reader.GetInt64(0) : null;
    }

    public ValueTask DisposeAsync() => _drop();

    /// <summary>Removes a run's temp directory; a leftover one (a file still held) must not fail the benchmark.</summary>
    public static void TryDelete(string directory)
    {
        // Pooled connections keep the database files open.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not remove {directory}: {e.Message}");
        }
    }
}
