using System.Data.Common;
using System.Text.Json;
using Bank.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// The database a test host runs on: the HOCON that points the host at it (read after hocon/bank.conf, as the host's
/// <c>bank-hocon</c> setting), and connections of the test's own, to look at the tables or to get in the host's way.
/// </summary>
public abstract class BankDatabase : IAsyncDisposable
{
    /// <summary>sqlite or postgres, as <c>bank.journal</c> says.</summary>
    public abstract string Journal { get; }

    public abstract string ConnectionString { get; }

    /// <summary>The HOCON that selects this database.</summary>
    public abstract string Hocon { get; }

    /// <summary>A new, unopened connection to the database, for the test itself.</summary>
    public abstract DbConnection Connect();

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>A HOCON string literal.</summary>
    protected static string Quote(string text) => JsonSerializer.Serialize(text);
}

/// <summary>A fresh SQLite file in its own temp directory (outside the host's content root), removed afterwards.</summary>
public sealed class SqliteDatabase : BankDatabase
{
    private readonly string _directory;

    private SqliteDatabase(string directory, string connectionOptions)
    {
        _directory = directory;
        ConnectionString = $"Data Source={File}{connectionOptions}";
    }

    /// <param name="connectionOptions">Appended to the host's connection string, e.g. <c>;Default Timeout=1</c> (the busy timeout, in seconds).</param>
    public static SqliteDatabase Create(string connectionOptions = "")
    {
        var directory = Path.Combine(Path.GetTempPath(), "bank-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return new SqliteDatabase(directory, connectionOptions);
    }

    public string File => Path.Combine(_directory, "bank.db");

    public override string Journal => "sqlite";

    public override string ConnectionString { get; }

    public override string Hocon => $"bank.journal = sqlite\nbank.sqlite.connection-string = {Quote(ConnectionString)}";

    public override DbConnection Connect() => new SqliteConnection($"Data Source={File}");

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp file must not fail the run.
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>A fresh database on the test run's PostgreSQL server, with hocon/postgres.conf read as BANK_CONFIG=postgres would.</summary>
public sealed class PostgresDatabase : BankDatabase
{
    private PostgresDatabase(string connectionString, string hostOptions)
    {
        ConnectionString = connectionString;
        HostConnectionString = connectionString + hostOptions;
    }

    /// <param name="hostOptions">Appended to the host's connection string only, e.g. <c>;Options=-c lock_timeout=1000</c>.</param>
    public static async Task<PostgresDatabase> CreateAsync(PostgresServer server, string hostOptions = "")
    {
        ArgumentNullException.ThrowIfNull(server);
        return new PostgresDatabase(await server.CreateDatabaseAsync(), hostOptions);
    }

    public override string Journal => "postgres";

    /// <summary>The test's own connection string (without the host's options).</summary>
    public override string ConnectionString { get; }

    public string HostConnectionString { get; }

    public string DatabaseName => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    public override string Hocon =>
        System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "postgres.conf"))
        + $"\nbank.postgres.connection-string = {Quote(HostConnectionString)}";

    public override DbConnection Connect() => new NpgsqlConnection(ConnectionString);

    public override ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools(); // the server drops its databases when the run ends
        return ValueTask.CompletedTask;
    }
}
