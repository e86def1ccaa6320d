using System.Collections.Concurrent;
using System.Net.Sockets;
using Npgsql;

namespace Bank.Testing;

/// <summary>
/// A PostgreSQL server for tests, shared as an xunit collection fixture. When the environment variable
/// <c>ACTORS_POSTGRES</c> holds a connection string, that server is used. Otherwise a <see cref="ThrowawayPostgres"/>
/// is started (without fsync: nothing in a test database needs to survive a crash of the machine) and removed again on
/// dispose. If neither works, initialization throws with the reason: PostgreSQL tests fail, they are never skipped.
/// </summary>
/// <remarks>
/// xunit collection definitions must live in the test assembly; declare there:
/// <code>
/// [CollectionDefinition(PostgresCollection.Name)]
/// public sealed class PostgresCollection : ICollectionFixture&lt;PostgresServer&gt; { public const string Name = "postgres"; }
/// </code>
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = ThrowawayPostgres.EnvironmentVariable;

    private readonly SemaphoreSlim _createDatabase = new(1, 1);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _namedDatabases = new(StringComparer.Ordinal);
    private readonly List<string> _createdDatabases = [];

    private string? _connectionString;
    private ThrowawayPostgres? _server;

    /// <summary>The connection string to the server's <c>postgres</c> database.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The PostgreSQL server has not been started.");

    /// <summary>True when the fixture started (and owns) the server; false when it uses <c>ACTORS_POSTGRES</c>.</summary>
    public bool IsThrowaway => _server is not null;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            _connectionString = external;
            await ThrowawayPostgres.WaitUntilAcceptingAsync(external, CancellationToken.None);
            return;
        }
        _server = await ThrowawayPostgres.StartAsync(durable: false, CancellationToken.None);
        _connectionString = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { MaxPoolSize = 50 }.ConnectionString;
    }

    /// <summary>Creates a fresh, empty database with a unique name; returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"actors_test_{Guid.NewGuid():N}";
        await _createDatabase.WaitAsync();
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
            lock (_createdDatabases) _createdDatabases.Add(name);
        }
        finally
        {
            _createDatabase.Release();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// The database created for <paramref name="key"/> (e.g. a test class name): created on first use, then the
    /// same one for every caller with that key. For "fresh database per test class" with per-test class instances.
    /// </summary>
    public Task<string> GetOrCreateDatabaseAsync(string key) =>
        _namedDatabases.GetOrAdd(key, _ => new Lazy<Task<string>>(CreateDatabaseAsync)).Value;

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is null)
        {
            await DropCreatedDatabasesAsync();
            return;
        }
        await _server.DisposeAsync();
    }

    private async Task DropCreatedDatabasesAsync()
    {
        string[] names;
        lock (_createdDatabases) names = [.. _createdDatabases];
        if (names.Length == 0 || _connectionString is null) return;
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            foreach (var name in names)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException)
        {
            // Best effort on a server we do not own.
        }
    }
}
