using Bank.Testing;
using Npgsql;

namespace Actors.Benchmarks.Persistence;

/// <summary>
/// The PostgreSQL server of a benchmark: the one named by <c>ACTORS_POSTGRES</c>, else a <see cref="ThrowawayPostgres"/>
/// (the tests' throwaway server, linked from tests/Bank.Testing) removed on dispose. Unlike the tests' server it keeps
/// the durable defaults: fsync=on, synchronous_commit=on, full_page_writes=on.
/// </summary>
public sealed class PostgresInstance : IAsyncDisposable
{
    public const string EnvironmentVariable = ThrowawayPostgres.EnvironmentVariable;

    private readonly ThrowawayPostgres? _server;

    private PostgresInstance(string connectionString, ThrowawayPostgres? server)
    {
        ConnectionString = connectionString;
        _server = server;
    }

    public string Description { get; private set; } = "";

    /// <summary>Connection string to the server's maintenance database.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresInstance> StartAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            await ThrowawayPostgres.WaitUntilAcceptingAsync(external, cancellationToken);
            var named = new PostgresInstance(external, server: null);
            named.Description = $"server from {EnvironmentVariable} ({await named.SettingsAsync(cancellationToken)})";
            progress($"using the PostgreSQL server in {EnvironmentVariable}: {named.Description}");
            return named;
        }

        progress("creating a throwaway PostgreSQL cluster (durable settings)");
        var server = await ThrowawayPostgres.StartAsync(durable: true, cancellationToken);
        var instance = new PostgresInstance(server.ConnectionString, server);
        try
        {
            instance.Description = $"throwaway server on 127.0.0.1:{server.Port} ({await instance.SettingsAsync(cancellationToken)})";
            progress($"started PostgreSQL: {instance.Description}");
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new empty database; the returned function drops it again.</summary>
    public async Task<(string ConnectionString, Func<ValueTask> Drop)> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = $"actors_bench_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\"", cancellationToken);
        // A small pool, as a long-running node would have warm: each new PostgreSQL connection is a new server process
        // (fork, catalog caches, exit), and a fresh database per run would otherwise open dozens of them while 1,000
        // accounts recover at once, costing the server more CPU than the run's inserts.
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name, MaxPoolSize = 16 }.ConnectionString;
        return (connectionString, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", CancellationToken.None);
        });
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<string> SettingsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT split_part(version(), ' ', 2) || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')"
            + " || ', wal_sync_method=' || current_setting('wal_sync_method') || ', shared_buffers=' || current_setting('shared_buffers')", connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null) await _server.DisposeAsync();
    }
}
